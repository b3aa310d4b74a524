module my-svc

go 1.23

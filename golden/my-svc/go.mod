module my-svc

go 1.22

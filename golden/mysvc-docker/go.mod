module example.com/mysvc

go 1.23

module github.com/daemongen/daemongen

go 1.26.0

package main

import "fmt"

func main() {
	var a int64
	fmt.Scan(&a)
	for a != -1 {
		a = (a*3+1)%1000003 + 1
	}
	fmt.Println(a)
}

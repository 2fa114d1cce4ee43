import sys

def add(a, b)
    return a + b

print(add(*map(int, sys.stdin.read().split())))

import sys

n = int(sys.stdin.read().split()[0])
while n != -1:
    n = (n * 3 + 1) % 1000003 + 1

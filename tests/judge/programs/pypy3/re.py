import sys

values = list(map(int, sys.stdin.read().split()))
print(values[2])  # IndexError

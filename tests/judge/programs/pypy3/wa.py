import sys

tokens = sys.stdin.read().split()
sys.stdout.write(tokens[0] + tokens[1] + "\n")  # string concatenation

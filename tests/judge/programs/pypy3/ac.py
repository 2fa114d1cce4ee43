import sys

tokens = sys.stdin.buffer.read().split()
sys.stdout.write(f"{int(tokens[0]) + int(tokens[1])}\n")

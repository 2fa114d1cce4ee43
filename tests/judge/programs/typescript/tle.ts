const input: string = require('fs').readFileSync(0, 'utf8');
let n: number = Number(input.trim().split(/\s+/)[0]);
while (n !== -1) {
    n = (n * 3 + 1) % 1000003 + 1;
}

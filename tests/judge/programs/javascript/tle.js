const [a] = require('fs').readFileSync(0, 'utf8').trim().split(/\s+/).map(Number);
let n = a;
while (n !== -1) n = (n * 3 + 1) % 1000003 + 1;

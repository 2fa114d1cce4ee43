const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\s+/).map(Number);
const result = undefined;
console.log(result.sum + a + b);

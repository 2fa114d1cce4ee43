const input: string = require('fs').readFileSync(0, 'utf8');
const [a, b] = input.trim().split(/\s+/).map(Number);
console.log(Math.min(a, b));

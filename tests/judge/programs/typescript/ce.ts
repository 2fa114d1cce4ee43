const input: string = require('fs').readFileSync(0, 'utf8');
const [a, b] = input.trim().split(/\s+/).map(Number);
const sum: string = a + b;  // type error: number is not assignable to string
console.log(sum);

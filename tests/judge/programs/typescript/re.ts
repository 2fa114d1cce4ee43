const input: string = require('fs').readFileSync(0, 'utf8');
const values: number[] = input.trim().split(/\s+/).map(Number);
if (values.length === 2) {
    throw new Error('deliberate runtime error');
}
console.log(values[0] + values[1]);

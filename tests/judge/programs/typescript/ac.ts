import * as fs from 'fs';

function add(a: bigint, b: bigint): bigint {
    return a + b;
}

const [a, b] = fs.readFileSync(0, 'utf8').trim().split(/\s+/).map((t: string) => BigInt(t));
console.log(add(a, b).toString());

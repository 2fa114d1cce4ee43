fn main() {
    let mut input = String::new();
    std::io::stdin().read_line(&mut input).unwrap();
    let values: Vec<i64> = input.split_whitespace().map(|t| t.parse().unwrap()).collect();
    let sum: i64 = values[0] + values[1];
    sum += 1; // cannot assign twice to immutable variable
    println!("{}", sum);
}

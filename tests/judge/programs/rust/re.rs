fn main() {
    let mut input = String::new();
    std::io::stdin().read_line(&mut input).unwrap();
    let values: Vec<i64> = input.split_whitespace().map(|t| t.parse().unwrap()).collect();
    let missing: Option<i64> = values.get(5).copied();
    println!("{}", values[0] + missing.expect("deliberate panic"));
}

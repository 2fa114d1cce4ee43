fn main() {
    let mut input = String::new();
    std::io::stdin().read_line(&mut input).unwrap();
    let mut n: i64 = input.split_whitespace().next().unwrap().parse().unwrap();
    while n != -1 {
        n = (n * 3 + 1) % 1000003 + 1;
    }
    println!("{}", n);
}

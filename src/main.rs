fn main() {
    std::process::exit(ponder::cli::main());
}

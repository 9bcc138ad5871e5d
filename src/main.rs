fn main() {
    std::process::exit(groundwork::run(std::env::args_os()));
}

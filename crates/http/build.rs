// The UI is embedded from ui/dist. A checkout where it was not built yet still compiles (the
// server then answers with a page saying how to build it), so make sure the folder exists.
fn main() {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/dist");
    if let Err(e) = std::fs::create_dir_all(&dist) {
        println!("cargo:warning=cannot create {}: {e}", dist.display());
    }
    println!("cargo:rerun-if-changed=../../ui/dist");
    println!("cargo:rerun-if-changed=../../ui/dist/index.html");
}

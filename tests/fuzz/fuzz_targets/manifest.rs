//! Fuzz target: `template.toml` text through `manifest::parse`, and a parsed manifest through
//! `Template::new` (its static checks of `when`, `[computed]` and `[[files]]`). Errors are the
//! expected outcome for most inputs; a panic or an abort is a bug.
#![no_main]

use std::path::Path;

use groundwork::api::{TemplateFile, manifest};
use groundwork::api::Template;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The manifest is read as UTF-8 text before it is parsed; other bytes never reach `parse`.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(manifest) = manifest::parse(Path::new("template.toml"), text) else {
        return;
    };
    let files = vec![TemplateFile {
        path: "README.md.tera".into(),
        contents: b"# {{ 1 }}\n".to_vec(),
        executable: false,
        mode: None,
    }];
    let _ = Template::new(manifest, files);
});

//! The crate's layers, checked (tests only): every module uses only modules of the layers below
//! it (the list in `lib.rs`'s documentation, written again here as data), and no two files of a
//! folder use each other, directly or round a circle. A new module goes in [`LAYERS`]; a test
//! that fails here names the use that breaks the order.
//!
//! Uses are read from the source text: `crate::name` for modules, `super::name` and
//! `crate::folder::name` for the files of a folder. A file's `#[cfg(test)]` part may use
//! anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// From the bottom up: a module may use the modules of the layers before its own.
const LAYERS: &[&[&str]] = &[
    &[
        "phone",
        "code",
        "i18n",
        "clock",
        "invite",
        "qr",
        "telemetry",
        "monitoring",
        "memory",
    ],
    &["gateway"],
    &["store"],
    &[
        "verification",
        "delivery",
        "export",
        "chart",
        "housekeeping",
    ],
    &["customers", "people", "events"],
    &["config"],
    &["bot", "http"],
    &["panel"],
    &["app"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("src/ reads") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// A file's code without its tests and comments.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("a source file reads");
    let text = match text.find("#[cfg(test)]\nmod ") {
        Some(tests) => &text[..tests],
        None => &text,
    };
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The names that follow `prefix` in `code`: `crate::store::…` → `store`, and each first name
/// of a group, `super::{buttons, texts::View}` → `buttons`, `texts`.
fn after<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    let ident_end = |s: &str| {
        s.find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(s.len())
    };
    let mut names = Vec::new();
    for (at, _) in code.match_indices(prefix) {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let item = item.trim();
                let end = ident_end(item);
                if end > 0 {
                    names.push(&item[..end]);
                }
            }
        } else {
            let end = ident_end(rest);
            if end > 0 {
                names.push(&rest[..end]);
            }
        }
    }
    names
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The module a file belongs to: `store` for `src/store/limits.rs`, `phone` for `src/phone.rs`.
fn module_of(path: &Path) -> String {
    let relative = path.strip_prefix(src()).expect("a file under src/");
    let first = relative.components().next().expect("a path");
    let name = first.as_os_str().to_string_lossy();
    name.trim_end_matches(".rs").to_owned()
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let mut wrong = BTreeSet::new();
    for path in sources(&src()) {
        let module = module_of(&path);
        let Some(layer) = layer_of(&module) else {
            if !["lib", "main", "testing", "layers"].contains(&module.as_str()) {
                wrong.insert(format!("{module}: not in LAYERS (src/layers.rs)"));
            }
            continue;
        };
        for used in after(&code_of(&path), "crate::") {
            if used == module {
                continue;
            }
            if let Some(used_layer) = layer_of(used)
                && used_layer >= layer
            {
                let file = path.strip_prefix(src()).unwrap().display();
                wrong.insert(format!(
                    "{file} uses {used}, of a layer not below {module}'s"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn no_two_files_of_a_folder_use_each_other() {
    // folder → file → the sibling files it uses
    let mut uses: BTreeMap<PathBuf, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    let files = sources(&src());
    for path in &files {
        let Some(stem) = path.file_stem().map(|s| s.to_string_lossy().into_owned()) else {
            continue;
        };
        let folder = path.parent().expect("a folder").to_path_buf();
        if stem == "mod" || folder == src() {
            continue;
        }
        let siblings: BTreeSet<String> = files
            .iter()
            .filter(|f| f.parent() == Some(folder.as_path()))
            .filter_map(|f| f.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .filter(|s| s != "mod" && *s != stem)
            .collect();
        let path_in_crate = folder
            .strip_prefix(src())
            .unwrap()
            .to_string_lossy()
            .replace('/', "::");
        let code = code_of(path);
        let absolute = format!("crate::{path_in_crate}::");
        let used: BTreeSet<String> = after(&code, "super::")
            .into_iter()
            .chain(after(&code, &absolute))
            .filter(|name| siblings.contains(*name))
            .map(str::to_owned)
            .collect();
        uses.entry(folder).or_default().insert(stem, used);
    }
    let mut circles = Vec::new();
    for (folder, graph) in &uses {
        for start in graph.keys() {
            if reaches(graph, start, start, &mut BTreeSet::new()) {
                let folder = folder.strip_prefix(src()).unwrap().display();
                circles.push(format!("src/{folder}/{start}.rs is on a circle of uses"));
            }
        }
    }
    assert!(circles.is_empty(), "{circles:#?}");
}

/// Whether `from` leads back to `target` through the uses in `graph`.
fn reaches(
    graph: &BTreeMap<String, BTreeSet<String>>,
    from: &str,
    target: &str,
    seen: &mut BTreeSet<String>,
) -> bool {
    for next in graph.get(from).into_iter().flatten() {
        if next == target {
            return true;
        }
        if seen.insert(next.clone()) && reaches(graph, next, target, seen) {
            return true;
        }
    }
    false
}

#[test]
fn the_reader_sees_uses() {
    let code = "use crate::store::Store;\nlet x = super::texts::help();\nmy_crate::no\n\
                use super::{buttons, reply::send};";
    assert_eq!(after(code, "crate::"), ["store"]);
    assert_eq!(after(code, "super::"), ["texts", "buttons", "reply"]);
}

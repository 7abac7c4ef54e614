//! Module trees: from each crate root, follow `mod x;` (with `#[path]`) through files
//! and inline modules, as rustc does; parse each wave of files in parallel.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::cfg::{condition_holds, is_configured_out};
use super::workspace::relative;
use super::{CrateTarget, FileContext, LoadError, SourceFile, Workspace};

/// A file to load, and where the module tree puts it.
struct Pending {
    path: PathBuf,
    crate_index: usize,
    module_path: Vec<String>,
    /// lib.rs, main.rs, mod.rs or a `#[path]` file: its child modules live beside it,
    /// not in a folder named after it.
    owns_directory: bool,
    /// The `mod` item that declared it (none for a crate root), for an error there.
    declared_at: Option<LoadError>,
}

/// A `mod x;` declaration as its file writes it: what is needed to find the module's
/// file, kept by the cache so that an unchanged file is not parsed again.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ModuleDecl {
    name: String,
    /// The inline modules around it (`mod a { mod x; }`).
    inline: Vec<String>,
    /// `#[path]` and the `#[cfg_attr(.., path)]` that may hold here, in order.
    explicit_paths: Vec<String>,
    line: usize,
    column: usize,
}

/// Where a file's lowering and `mod` declarations are kept between runs, by its text
/// and its place in the crate (`lint/src/index/file_cache.rs`).
pub trait Cache<T>: Sync {
    fn get(&self, text: &str, context: &FileContext<'_>) -> Option<(T, Vec<ModuleDecl>)>;
    fn put(&self, text: &str, context: &FileContext<'_>, lowered: &T, modules: &[ModuleDecl]);
}

/// No cache: every file is parsed.
pub struct NoCache;

impl<T> Cache<T> for NoCache {
    fn get(&self, _: &str, _: &FileContext<'_>) -> Option<(T, Vec<ModuleDecl>)> {
        None
    }

    fn put(&self, _: &str, _: &FileContext<'_>, _: &T, _: &[ModuleDecl]) {}
}

/// What a worker sends back for one file: its text, lowering, and child modules.
struct Loaded<T> {
    text: Arc<str>,
    lowered: T,
    children: Vec<Pending>,
    errors: Vec<LoadError>,
}

pub(super) fn load_crates<T, F>(
    root: &Path,
    crates: Vec<CrateTarget>,
    lower: &F,
    cache: &dyn Cache<T>,
) -> Workspace<T>
where
    T: Send,
    F: Fn(&syn::File, &FileContext<'_>) -> T + Sync,
{
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut seen: HashSet<(usize, PathBuf)> = HashSet::new();
    // Each crate's files by real path: a directory that links to itself (or a module
    // path that leads back to a file) would load the same file again at every depth.
    let mut real_paths: std::collections::HashMap<(usize, PathBuf), String> =
        std::collections::HashMap::new();
    let mut frontier: Vec<Pending> = crates
        .iter()
        .enumerate()
        .map(|(crate_index, target)| Pending {
            path: target.root.clone(),
            crate_index,
            module_path: Vec::new(),
            owns_directory: true,
            declared_at: None,
        })
        .collect();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    while !frontier.is_empty() {
        frontier.retain(|pending| seen.insert((pending.crate_index, pending.path.clone())));
        frontier.retain(|pending| {
            let real = pending
                .path
                .canonicalize()
                .unwrap_or_else(|_| pending.path.clone());
            match real_paths.get(&(pending.crate_index, real.clone())) {
                None => {
                    real_paths.insert(
                        (pending.crate_index, real),
                        relative(root, &pending.path),
                    );
                    true
                }
                Some(first) => {
                    if let Some(declared) = &pending.declared_at {
                        errors.push(LoadError {
                            message: format!(
                                "{}: it is {first}, already loaded (a loop through a symbolic link); not loaded again",
                                declared.message
                            ),
                            ..declared.clone()
                        });
                    }
                    false
                }
            }
        });
        let loaded: Vec<(Pending, Result<Loaded<T>, LoadError>)> = frontier
            .into_par_iter()
            .map(|pending| {
                let result = load_file(root, &canonical_root, &crates, &pending, lower, cache);
                (pending, result)
            })
            .collect();
        let mut next = Vec::new();
        for (pending, result) in loaded {
            match result {
                Ok(mut file) => {
                    next.append(&mut file.children);
                    errors.append(&mut file.errors);
                    files.push(SourceFile {
                        relative: relative(root, &pending.path),
                        path: pending.path,
                        crate_index: pending.crate_index,
                        module_path: pending.module_path,
                        text: file.text,
                        lowered: file.lowered,
                    });
                }
                Err(error) => errors.push(error),
            }
        }
        frontier = next;
    }
    files.sort_by(|a, b| (a.crate_index, &a.relative).cmp(&(b.crate_index, &b.relative)));
    errors.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    errors.dedup();
    Workspace {
        root: root.to_path_buf(),
        crates,
        files,
        errors,
        resolved: None,
        target_directory: None,
    }
}

/// Reads, parses and lowers one file, and finds its child modules — all in the
/// calling worker, since the syntax tree cannot leave it. A file the cache holds for
/// this text and place is not parsed: its lowering and `mod` declarations come from
/// the cache, and only the declarations are resolved to files again.
fn load_file<T, F>(
    root: &Path,
    canonical_root: &Path,
    crates: &[CrateTarget],
    pending: &Pending,
    lower: &F,
    cache: &dyn Cache<T>,
) -> Result<Loaded<T>, LoadError>
where
    F: Fn(&syn::File, &FileContext<'_>) -> T,
{
    let file_relative = relative(root, &pending.path);
    let text = read_text(&pending.path, &file_relative)?;
    let crate_name = crates
        .get(pending.crate_index)
        .map_or("", |target| target.name.as_str());
    let context = FileContext {
        relative: &file_relative,
        crate_name,
        module_path: &pending.module_path,
    };
    let (lowered, declarations) = match cache.get(&text, &context) {
        Some(cached) => cached,
        None => {
            let ast = parse(&text, &file_relative)?;
            let mut declarations = Vec::new();
            module_declarations(&ast.items, &[], &mut declarations);
            let lowered = lower(&ast, &context);
            drop(ast);
            // proc-macro2 keeps, per thread, a copy of every file parsed for its span
            // locations. Nothing of this file's syntax tree outlives its lowering, so its
            // spans go too: the copies would otherwise stay for the rest of the run.
            proc_macro2::extra::invalidate_current_thread_spans();
            cache.put(&text, &context, &lowered, &declarations);
            (lowered, declarations)
        }
    };
    let mut children = Vec::new();
    let mut errors = Vec::new();
    let mut resolver = Children {
        file: pending,
        file_relative: &file_relative,
        root: canonical_root,
        next: &mut children,
        errors: &mut errors,
    };
    let directory = children_directory(pending);
    for declaration in &declarations {
        resolver.resolve(declaration, &directory);
    }
    Ok(Loaded {
        text: Arc::from(text),
        lowered,
        children,
        errors,
    })
}

fn read_text(path: &Path, relative: &str) -> Result<String, LoadError> {
    let bytes = std::fs::read(path).map_err(|error| LoadError {
        file: relative.to_owned(),
        line: 0,
        column: 0,
        message: format!("cannot read the file: {error}"),
    })?;
    let text = String::from_utf8(bytes).map_err(|error| {
        // Where the first byte that is not UTF-8 is: the line and column after the
        // valid text before it.
        let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
        let line = 1 + valid.iter().filter(|byte| **byte == b'\n').count();
        let line_start = valid
            .iter()
            .rposition(|byte| *byte == b'\n')
            .map_or(0, |newline| newline + 1);
        let column = 1 + String::from_utf8_lossy(&valid[line_start..])
            .chars()
            .count();
        LoadError {
            file: relative.to_owned(),
            line,
            column,
            message: "cannot read the file: it is not UTF-8 from here on".to_owned(),
        }
    })?;
    crate::progress::advance(1);
    Ok(text)
}

fn parse(text: &str, relative: &str) -> Result<syn::File, LoadError> {
    match syn::parse_file(text) {
        Ok(ast) => Ok(ast),
        Err(error) => {
            // The tokenizer stops at the end of the file for a delimiter never closed;
            // the opening one is where the mistake is.
            if let Some(((line, column), open)) = unclosed_delimiter(text) {
                return Err(LoadError {
                    file: relative.to_owned(),
                    line,
                    column,
                    message: format!("cannot parse: this `{open}` is never closed"),
                });
            }
            let start = error.span().start();
            Err(LoadError {
                file: relative.to_owned(),
                line: start.line,
                column: start.column + 1,
                message: format!("cannot parse: {error}"),
            })
        }
    }
}

/// The first opening delimiter of `text` that no matching one closes (the innermost
/// open one when a wrong closing delimiter or the end of the text comes), with its
/// line and column (1-based); comments, strings and character literals skipped.
fn unclosed_delimiter(text: &str) -> Option<((usize, usize), char)> {
    let chars: Vec<char> = text.chars().collect();
    let mut open: Vec<((usize, usize), char)> = Vec::new();
    let (mut at, mut line, mut column) = (0, 1, 1);
    // Advances over `count` characters, keeping the line and column.
    let step = |at: &mut usize, line: &mut usize, column: &mut usize, count: usize| {
        for _ in 0..count {
            if chars.get(*at) == Some(&'\n') {
                *line += 1;
                *column = 1;
            } else {
                *column += 1;
            }
            *at += 1;
        }
    };
    while let Some(&current) = chars.get(at) {
        let next = chars.get(at + 1).copied();
        match current {
            '/' if next == Some('/') => {
                let end = chars[at..]
                    .iter()
                    .position(|c| *c == '\n')
                    .unwrap_or(chars.len() - at);
                step(&mut at, &mut line, &mut column, end);
            }
            '/' if next == Some('*') => {
                let mut depth = 0usize;
                while at < chars.len() {
                    match (chars[at], chars.get(at + 1).copied()) {
                        ('/', Some('*')) => {
                            depth += 1;
                            step(&mut at, &mut line, &mut column, 2);
                        }
                        ('*', Some('/')) => {
                            depth = depth.saturating_sub(1);
                            step(&mut at, &mut line, &mut column, 2);
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => step(&mut at, &mut line, &mut column, 1),
                    }
                }
            }
            'r' | 'b' if raw_string_hashes(&chars, at).is_some() => {
                let (prefix, hashes) = raw_string_hashes(&chars, at)?;
                step(&mut at, &mut line, &mut column, prefix + hashes + 1);
                let closing: Vec<char> = std::iter::once('"')
                    .chain(std::iter::repeat_n('#', hashes))
                    .collect();
                while at < chars.len() && !chars[at..].starts_with(&closing) {
                    step(&mut at, &mut line, &mut column, 1);
                }
                step(&mut at, &mut line, &mut column, closing.len());
            }
            '"' => {
                step(&mut at, &mut line, &mut column, 1);
                while let Some(&inner) = chars.get(at) {
                    let skip = if inner == '\\' { 2 } else { 1 };
                    step(&mut at, &mut line, &mut column, skip);
                    if inner == '"' {
                        break;
                    }
                }
            }
            '\'' => {
                // A character literal (`'a'`, `'\n'`) or a lifetime (`'a`).
                let literal = match next {
                    Some('\\') => chars
                        .get(at + 3..)
                        .and_then(|rest| rest.iter().take(10).position(|c| *c == '\''))
                        .map(|end| end + 4),
                    Some(_) if chars.get(at + 2) == Some(&'\'') => Some(3),
                    _ => None,
                };
                step(&mut at, &mut line, &mut column, literal.unwrap_or(1));
            }
            '(' | '[' | '{' => {
                open.push(((line, column), current));
                step(&mut at, &mut line, &mut column, 1);
            }
            ')' | ']' | '}' => {
                let expected = match open.last() {
                    Some((_, '(')) => ')',
                    Some((_, '[')) => ']',
                    Some(_) => '}',
                    None => return None,
                };
                if current != expected {
                    return open.pop();
                }
                open.pop();
                step(&mut at, &mut line, &mut column, 1);
            }
            _ => step(&mut at, &mut line, &mut column, 1),
        }
    }
    open.pop()
}

/// `r"`, `r#"`, `br##"`...: how long the prefix (`r` or `br`) is and how many `#`.
fn raw_string_hashes(chars: &[char], at: usize) -> Option<(usize, usize)> {
    let prefix = match (chars.get(at), chars.get(at + 1)) {
        (Some('r'), _) => 1,
        (Some('b'), Some('r')) => 2,
        _ => return None,
    };
    // Not the end of an identifier (`for"`, `bar"`): the prefix starts a token.
    if at > 0
        && chars
            .get(at - 1)
            .is_some_and(|c| c.is_alphanumeric() || *c == '_')
    {
        return None;
    }
    let hashes = chars[at + prefix..]
        .iter()
        .take_while(|c| **c == '#')
        .count();
    (chars.get(at + prefix + hashes) == Some(&'"')).then_some((prefix, hashes))
}

/// Where `mod x;` in this file looks for `x.rs` and `x/mod.rs`.
fn children_directory(file: &Pending) -> PathBuf {
    let parent = file
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    if file.owns_directory {
        return parent;
    }
    match file.path.file_stem() {
        Some(stem) => parent.join(stem),
        None => parent,
    }
}

struct Children<'a> {
    file: &'a Pending,
    file_relative: &'a str,
    root: &'a Path,
    next: &'a mut Vec<Pending>,
    errors: &'a mut Vec<LoadError>,
}

/// The `mod x;` declarations of `items` (inline modules are searched, not declared), as
/// the syntax has them; `inline` names the inline modules around them.
fn module_declarations(items: &[syn::Item], inline: &[String], out: &mut Vec<ModuleDecl>) {
    for item in items {
        if let Some(inner) = items_in_macro(item) {
            // `cfg_if! { mod x; }` and the like: modules declared inside a macro call
            // whose body is items are loaded as if written outside it.
            module_declarations(&inner, inline, out);
            continue;
        }
        let syn::Item::Mod(module) = item else {
            continue;
        };
        if is_configured_out(&module.attrs) {
            continue;
        }
        let name = module.ident.to_string();
        if let Some((_, content)) = &module.content {
            let inner: Vec<String> = inline.iter().cloned().chain([name]).collect();
            module_declarations(content, &inner, out);
            continue;
        }
        let start = module.ident.span().start();
        out.push(ModuleDecl {
            name,
            inline: inline.to_vec(),
            explicit_paths: path_attributes(&module.attrs),
            line: start.line,
            column: start.column + 1,
        });
    }
}

impl Children<'_> {
    /// Queues the file of one `mod x;` declaration, or reports why there is none.
    fn resolve(&mut self, declaration: &ModuleDecl, children_dir: &Path) {
        let ModuleDecl {
            name,
            inline,
            explicit_paths: explicit,
            line,
            column,
        } = declaration;
        let mut module_path = self.file.module_path.clone();
        module_path.extend(inline.iter().cloned());
        module_path.push(name.clone());
        let base = inline
            .iter()
            .fold(children_dir.to_path_buf(), |dir, part| dir.join(part));
        // `#[path]`, then each `#[cfg_attr(.., path = ..)]` whose condition may hold
        // here, in order: the first that names an existing file is the module.
        let candidates: Vec<PathBuf> = if explicit.is_empty() {
            vec![
                base.join(format!("{name}.rs")),
                base.join(name).join("mod.rs"),
            ]
        } else {
            explicit
                .iter()
                .map(|path| {
                    // At a file's top level `#[path]` is relative to the file's folder;
                    // inside inline modules, to the folder those modules name.
                    if inline.is_empty() {
                        self.file
                            .path
                            .parent()
                            .map(|dir| dir.join(path))
                            .unwrap_or_default()
                    } else {
                        base.join(path)
                    }
                })
                .collect()
        };
        let at = |message: String| LoadError {
            file: self.file_relative.to_owned(),
            line: *line,
            column: *column,
            message,
        };
        let Some(found) = candidates.iter().find(|candidate| candidate.is_file()) else {
            self.errors
                .push(at(format!("file not found for module `{name}`")));
            return;
        };
        let inside = found
            .canonicalize()
            .is_ok_and(|canonical| canonical.starts_with(self.root));
        if !inside {
            self.errors.push(at(format!(
                "module `{name}` is outside the workspace; it is not analysed"
            )));
            return;
        }
        let owns_directory =
            !explicit.is_empty() || found.file_name().is_some_and(|name| name == "mod.rs");
        self.next.push(Pending {
            path: found.clone(),
            crate_index: self.file.crate_index,
            module_path,
            owns_directory,
            declared_at: Some(at(format!("module `{name}`"))),
        });
    }
}

/// `#[path = "..."]`, then the paths of `#[cfg_attr(condition, path = "...")]` whose
/// condition is not false on this machine, in order.
fn path_attributes(attrs: &[syn::Attribute]) -> Vec<String> {
    let text = |value: &syn::Expr| match value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) => Some(text.value()),
        _ => None,
    };
    let direct = attrs.iter().filter_map(|attr| match &attr.meta {
        syn::Meta::NameValue(pair) if pair.path.is_ident("path") => text(&pair.value),
        _ => None,
    });
    let conditional = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("cfg_attr"))
        .filter_map(|attr| {
            let metas = attr
                .parse_args_with(
                    syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
                )
                .ok()?;
            let mut metas = metas.into_iter();
            if !metas
                .next()
                .is_some_and(|condition| condition_holds(&condition))
            {
                return None;
            }
            metas.find_map(|meta| match meta {
                syn::Meta::NameValue(pair) if pair.path.is_ident("path") => text(&pair.value),
                _ => None,
            })
        });
    direct.chain(conditional).collect()
}

/// The items of an item-position macro call whose body parses as items (`cfg_rt! {
/// pub mod runtime; }`); `None` for anything else, `macro_rules!` definitions included.
pub fn items_in_macro(item: &syn::Item) -> Option<Vec<syn::Item>> {
    let syn::Item::Macro(call) = item else {
        return None;
    };
    if call.ident.is_some() || call.mac.path.is_ident("macro_rules") {
        return None;
    }
    let file = syn::parse2::<syn::File>(call.mac.tokens.clone()).ok()?;
    (!file.items.is_empty()).then_some(file.items)
}

#[cfg(test)]
mod tests {
    use super::unclosed_delimiter;

    #[test]
    fn the_unclosed_delimiter_is_the_opening_one() {
        let text = "pub struct A {\n    #[data(\"contact.email\"\n    pub e: String,\n}\n";
        assert_eq!(unclosed_delimiter(text), Some(((2, 11), '(')));
        assert_eq!(
            unclosed_delimiter("fn f() {\n    g(1;\n"),
            Some(((2, 6), '('))
        );
        assert_eq!(unclosed_delimiter("fn f() {\n"), Some(((1, 8), '{')));
    }

    #[test]
    fn delimiters_in_comments_strings_and_characters_do_not_count() {
        let text = "fn f<'a>(x: &'a str) -> char {\n    // (\n    /* [ /* { */ */\n    \
                    let _ = \"(\\\"\";\n    let _ = r#\"[\"#;\n    let _ = b'(';\n    '\\''\n}\n";
        assert_eq!(unclosed_delimiter(text), None);
    }
}

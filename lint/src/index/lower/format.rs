//! `format!`-style strings: which arguments are formatted with `{:?}`, and the names
//! captured implicitly (`{email}`).

/// One placeholder: what it refers to, and whether it is `Debug`.
#[derive(Debug, PartialEq, Eq)]
pub enum Placeholder {
    Next { debug: bool },
    Index { index: usize, debug: bool },
    Name { name: String, debug: bool },
}

pub fn placeholders(format: &str) -> Vec<Placeholder> {
    let mut found = Vec::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
            }
            '{' => {
                let mut inside = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    inside.push(c);
                }
                let (argument, spec) = inside.split_once(':').unwrap_or((inside.as_str(), ""));
                let debug = spec.contains('?');
                let argument = argument.trim();
                found.push(if argument.is_empty() {
                    Placeholder::Next { debug }
                } else if let Ok(index) = argument.parse() {
                    Placeholder::Index { index, debug }
                } else {
                    Placeholder::Name {
                        name: argument.to_owned(),
                        debug,
                    }
                });
            }
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_positional_named_and_debug_placeholders() {
        assert_eq!(
            placeholders("{} {{literal}} {email} {0:?} {name:>8} {:#?}"),
            [
                Placeholder::Next { debug: false },
                Placeholder::Name {
                    name: "email".into(),
                    debug: false
                },
                Placeholder::Index {
                    index: 0,
                    debug: true
                },
                Placeholder::Name {
                    name: "name".into(),
                    debug: false
                },
                Placeholder::Next { debug: true },
            ]
        );
    }
}

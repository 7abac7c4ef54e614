//! `#[cfg(..)]` on items and modules, read the way `cargo check` builds for the machine
//! privflow runs on: code for another platform (`target_os`, `target_arch`, `unix`,
//! `windows`, ...) and test-only code are not part of the build, so they are not loaded.
//! Every other condition (features, `debug_assertions`, custom flags such as `docsrs` or
//! `tokio_unstable`) is unknown here and its code is analysed: a flow behind a feature
//! is a flow of some build.

/// What a `cfg` predicate is on this machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Truth {
    Yes,
    No,
    Unknown,
}

impl Truth {
    fn not(self) -> Self {
        match self {
            Truth::Yes => Truth::No,
            Truth::No => Truth::Yes,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

/// True when a `#[cfg(..)]` among `attrs` is false for this machine (or names `test`):
/// the item is not part of the build.
pub fn is_configured_out(attrs: &[syn::Attribute]) -> bool {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("cfg"))
        .filter_map(|attr| attr.parse_args::<syn::Meta>().ok())
        .any(|predicate| evaluate(&predicate) == Truth::No)
}

/// The condition of `#[cfg_attr(condition, ..)]`: false when it is false on this machine.
pub fn condition_holds(condition: &syn::Meta) -> bool {
    evaluate(condition) != Truth::No
}

fn evaluate(predicate: &syn::Meta) -> Truth {
    match predicate {
        syn::Meta::Path(path) => match path.get_ident().map(ToString::to_string).as_deref() {
            Some("test") => Truth::No,
            Some("unix") => known(std::env::consts::FAMILY == "unix"),
            Some("windows") => known(std::env::consts::FAMILY == "windows"),
            _ => Truth::Unknown,
        },
        syn::Meta::NameValue(pair) => {
            let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(value),
                ..
            }) = &pair.value
            else {
                return Truth::Unknown;
            };
            let Some(key) = pair.path.get_ident() else {
                return Truth::Unknown;
            };
            match host_value(&key.to_string()) {
                Some(host) => known(value.value() == host),
                None => Truth::Unknown,
            }
        }
        syn::Meta::List(list) => {
            let operands = || {
                list.parse_args_with(
                    syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
                )
                .map(|operands| operands.into_iter().map(|operand| evaluate(&operand)))
            };
            let Ok(mut truths) = operands() else {
                return Truth::Unknown;
            };
            match list.path.get_ident().map(ToString::to_string).as_deref() {
                Some("all") => all(&mut truths),
                Some("any") => all(&mut truths.map(Truth::not)).not(),
                Some("not") => match (truths.next(), truths.next()) {
                    (Some(only), None) => only.not(),
                    _ => Truth::Unknown,
                },
                _ => Truth::Unknown,
            }
        }
    }
}

/// Kleene conjunction: false if any operand is, true if all are, else unknown.
fn all(truths: &mut dyn Iterator<Item = Truth>) -> Truth {
    truths.fold(Truth::Yes, |sum, truth| match (sum, truth) {
        (Truth::No, _) | (_, Truth::No) => Truth::No,
        (Truth::Unknown, _) | (_, Truth::Unknown) => Truth::Unknown,
        _ => Truth::Yes,
    })
}

fn known(holds: bool) -> Truth {
    if holds { Truth::Yes } else { Truth::No }
}

/// The value of a target key on the machine privflow was built for (the one it runs on);
/// `None` for keys that are not about the platform.
fn host_value(key: &str) -> Option<&'static str> {
    Some(match key {
        "target_os" => std::env::consts::OS,
        "target_arch" => std::env::consts::ARCH,
        "target_family" => std::env::consts::FAMILY,
        "target_pointer_width" => {
            if cfg!(target_pointer_width = "64") {
                "64"
            } else if cfg!(target_pointer_width = "32") {
                "32"
            } else {
                "16"
            }
        }
        "target_endian" => {
            if cfg!(target_endian = "little") {
                "little"
            } else {
                "big"
            }
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(attribute: &str) -> bool {
        let item: syn::ItemFn = syn::parse_str(&format!("{attribute} fn f() {{}}"))
            .unwrap_or_else(|error| unreachable!("{attribute}: {error}"));
        is_configured_out(&item.attrs)
    }

    #[test]
    fn platform_predicates_follow_the_host() {
        let os = std::env::consts::OS;
        assert!(!out(&format!("#[cfg(target_os = \"{os}\")]")));
        assert!(out("#[cfg(target_os = \"no-such-os\")]"));
        assert!(!out("#[cfg(not(target_os = \"no-such-os\"))]"));
        assert!(out("#[cfg(target_arch = \"no-such-arch\")]"));
        assert_eq!(out("#[cfg(unix)]"), std::env::consts::FAMILY != "unix");
        assert_eq!(
            out("#[cfg(windows)]"),
            std::env::consts::FAMILY != "windows"
        );
        assert!(out("#[cfg(all(unix, windows))]"));
    }

    #[test]
    fn unknown_conditions_keep_the_item() {
        assert!(!out("#[cfg(feature = \"x\")]"));
        assert!(!out("#[cfg(not(feature = \"x\"))]"));
        assert!(!out("#[cfg(docsrs)]"));
        assert!(!out(
            "#[cfg(any(feature = \"x\", target_os = \"no-such-os\"))]"
        ));
        // Unknown and false is false; unknown or true is true.
        assert!(out(
            "#[cfg(all(feature = \"x\", target_os = \"no-such-os\"))]"
        ));
        assert!(!out("#[cfg(something(odd))]"));
        assert!(!out("#[cfg(not(a, b))]"));
    }

    #[test]
    fn test_code_is_out_however_written() {
        assert!(out("#[cfg(test)]"));
        assert!(out("#[cfg(all(test, feature = \"x\"))]"));
        assert!(!out("#[cfg(not(test))]"));
        assert!(!out("#[cfg(any(test, feature = \"x\"))]"));
        // Every `cfg` must hold.
        assert!(out("#[cfg(feature = \"x\")] #[cfg(test)]"));
    }
}

use privflow_model::Policy;

use super::super::ir::*;
use super::lower_file;
use crate::load::FileContext;

fn lower(source: &str) -> (FileIr, usize) {
    let ast = syn::parse_file(source).unwrap_or_else(|error| unreachable!("{error}"));
    let policy =
        Policy::builtin().unwrap_or_else(|errors| unreachable!("{}", errors.one_line_each()));
    let module = vec!["api".to_owned()];
    let context = FileContext {
        relative: "src/api.rs",
        crate_name: "app",
        module_path: &module,
    };
    lower_file(&ast, &context, &policy)
}

fn functions(ir: &FileIr) -> Vec<&FnDef> {
    let mut found = Vec::new();
    for item in &ir.items {
        match &item.kind {
            ItemKind::Fn(function) => found.push(function),
            ItemKind::Impl(block) => found.extend(&block.functions),
            ItemKind::Trait(definition) => found.extend(&definition.functions),
            _ => {}
        }
    }
    found
}

fn function<'a>(ir: &'a FileIr, name: &str) -> &'a FnDef {
    functions(ir)
        .into_iter()
        .find(|function| function.name == name)
        .unwrap_or_else(|| unreachable!("no function {name}"))
}

/// The macro call that is the first statement of `name`'s body.
fn first_macro<'a>(ir: &'a FileIr, name: &str) -> (&'a PathRef, &'a MacroArgs) {
    let body = function(ir, name).block().unwrap_or_else(|| unreachable!());
    match body.stmts.first() {
        Some(Stmt::Expr(Expr::Macro(call))) => (&call.path, &call.args),
        other => unreachable!("expected a macro, found {other:?}"),
    }
}

fn path_names(args: &[FormatArg]) -> Vec<(String, bool)> {
    args.iter()
        .map(|arg| {
            let name = match &arg.expr {
                Expr::Path { path, .. } => path.segments.join("::"),
                Expr::Field { name, .. } => format!(".{name}"),
                Expr::Wrap { .. } => "&".into(),
                _ => "?".into(),
            };
            (name, arg.debug)
        })
        .collect()
}

#[test]
fn data_tags_derives_and_serde_skips_are_read() {
    let (ir, _) = lower(
        r#"
        #[derive(Debug, serde::Serialize, privflow::Classified)]
        #[data(subject = "end_customer")]
        pub struct Contact {
            pub id: u64,
            #[data("contact.email", purposes = ["support"])]
            pub email: String,
            #[serde(skip)]
            #[data("contact.phone")]
            pub phone: String,
        }
        "#,
    );
    let ItemKind::Type(contact) = &ir.items[0].kind else {
        unreachable!()
    };
    assert_eq!(ir.items[0].module, ["api"]);
    assert_eq!(contact.derives, ["Debug", "Serialize", "Classified"]);
    assert_eq!(
        contact.tag.as_ref().and_then(|tag| tag.subject.as_deref()),
        Some("end_customer")
    );
    assert!(contact.fields[0].tag.is_none());
    let email = contact.fields[1]
        .tag
        .as_ref()
        .unwrap_or_else(|| unreachable!());
    assert_eq!(email.categories, ["contact.email"]);
    assert_eq!(email.purposes.as_deref(), Some(&["support".to_owned()][..]));
    assert_eq!(
        email.pos,
        Pos {
            line: 6,
            column: 15
        }
    );
    assert!(contact.fields[2].serde_skip && !contact.fields[1].serde_skip);
}

#[test]
fn function_tags_inherit_from_impls_and_inline_modules() {
    let (ir, _) = lower(
        r#"
        #[privflow::sink("channel.sms", args = ["body"])]
        pub fn send_sms(to: &str, body: &str) {}

        #[privflow::purpose("support")]
        impl Desk {
            #[privflow::purpose("security")]
            fn audit(&self) {}
            fn answer(&mut self) {}
        }

        #[privflow::purpose("customer_features.ai")]
        mod ai {
            #[privflow::declassify(to = "contact.pseudonymous_id")]
            fn pseudonymize(email: &str) -> String { String::new() }
        }

        #[allow(dead_code)]
        #[privflow::allow("contact.email -> channel.email", reason = "receipts")]
        fn receipt() {}
        "#,
    );
    let sms = function(&ir, "send_sms");
    let sink = sms.tags.sink.as_ref().unwrap_or_else(|| unreachable!());
    assert_eq!(
        (sink.sink.as_str(), sink.args.as_deref()),
        ("channel.sms", Some(&["body".to_owned()][..]))
    );
    assert_eq!(
        function(&ir, "audit").tags.purposes,
        ["security", "support"]
    );
    assert_eq!(function(&ir, "answer").tags.purposes, ["support"]);
    assert_eq!(function(&ir, "answer").receiver, Some(Receiver::RefMut));
    let pseudonymize = function(&ir, "pseudonymize");
    assert_eq!(pseudonymize.tags.purposes, ["customer_features.ai"]);
    assert_eq!(
        pseudonymize.tags.declassify.as_deref(),
        Some(&["contact.pseudonymous_id".to_owned()][..])
    );
    let module_of = |name: &str| {
        ir.items
            .iter()
            .find(|item| matches!(&item.kind, ItemKind::Fn(function) if function.name == name))
            .map(|item| item.module.join("::"))
    };
    assert_eq!(module_of("pseudonymize").as_deref(), Some("api::ai"));
    assert_eq!(
        function(&ir, "receipt").tags.allows.len(),
        1,
        "rustc's #[allow] is not privflow's"
    );
}

#[test]
fn invalid_attributes_are_problems_with_positions() {
    let (ir, _) = lower(
        r#"
        pub struct Contact {
            #[data("contact.emial")]
            pub email: String,
        }
        #[privflow::sink("ai.openia")]
        fn complete(prompt: &str) {}
        "#,
    );
    let problems: Vec<(u32, u32, &str)> = ir
        .problems
        .iter()
        .map(|problem| {
            (
                problem.pos.line,
                problem.pos.column,
                problem.message.as_str(),
            )
        })
        .collect();
    assert_eq!(
        problems,
        [
            (3, 20, "unknown data category `contact.emial`"),
            (6, 26, "unknown sink `ai.openia`"),
        ]
    );
    assert!(
        ir.problems[0]
            .help
            .as_deref()
            .is_some_and(|help| help.contains("contact.email"))
    );
}

#[test]
fn format_macros_keep_implicit_captures_and_debug_formatting() {
    let (ir, not_understood) = lower(
        r#"
        fn f() { println!("{email} then {:?} and {}", contact, user.name); }
        fn g() { tracing::info!(target: "app", user = %contact.email, ?session, "signed in {}", id); }
        fn h() { write!(out, "{0:?} {n}", value, n = count); }
        fn j() { my_dsl!(=> weird <=); }
        "#,
    );
    let (path, args) = first_macro(&ir, "f");
    assert_eq!(path.segments, ["println"]);
    let MacroArgs::Format { args } = args else {
        unreachable!()
    };
    assert_eq!(
        path_names(args),
        [
            ("contact".into(), true),
            (".name".into(), false),
            ("email".into(), false)
        ]
    );

    let (path, args) = first_macro(&ir, "g");
    assert_eq!(path.segments, ["tracing", "info"]);
    let MacroArgs::Format { args } = args else {
        unreachable!()
    };
    assert_eq!(
        path_names(args),
        [
            (".email".into(), false),
            ("session".into(), true),
            ("id".into(), false)
        ]
    );

    let (_, args) = first_macro(&ir, "h");
    let MacroArgs::Format { args } = args else {
        unreachable!()
    };
    assert_eq!(
        path_names(args),
        [
            ("out".into(), false),
            ("value".into(), true),
            ("count".into(), false)
        ]
    );

    let (_, args) = first_macro(&ir, "j");
    assert!(matches!(args, MacroArgs::NotUnderstood));
    assert_eq!(not_understood, 1);
}

#[test]
fn json_and_vec_macros_yield_their_values() {
    let (ir, not_understood) = lower(
        r#"
        fn f() { serde_json::json!({ "email": contact.email, "tags": [a, b], "n": { "x": 1 } }); }
        fn g() { vec![contact.name.clone(); 3]; }
        "#,
    );
    let (_, args) = first_macro(&ir, "f");
    let MacroArgs::Expressions(values) = args else {
        unreachable!()
    };
    assert_eq!(values.len(), 4, "contact.email, a, b, 1: {values:?}");
    let (_, args) = first_macro(&ir, "g");
    assert!(matches!(args, MacroArgs::Expressions(values) if values.len() == 1));
    assert_eq!(not_understood, 0);
}

#[test]
fn use_trees_are_flattened() {
    let (ir, _) =
        lower("use crate::models::{Contact as C, events::*, self}; pub use tracing::info;");
    let imports: Vec<(String, String, bool, bool)> = ir
        .items
        .iter()
        .filter_map(|item| match &item.kind {
            ItemKind::Use(imports) => Some(imports.clone()),
            _ => None,
        })
        .flatten()
        .map(|import| {
            (
                import.alias,
                import.path.join("::"),
                import.glob,
                import.public,
            )
        })
        .collect();
    assert_eq!(
        imports,
        [
            ("C".into(), "crate::models::Contact".into(), false, false),
            (String::new(), "crate::models::events".into(), true, false),
            ("models".into(), "crate::models".into(), false, false),
            ("info".into(), "tracing::info".into(), false, true),
        ]
    );
}

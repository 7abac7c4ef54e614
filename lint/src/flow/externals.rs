//! Models of code outside the workspace: the std (and common crates') functions and
//! methods the analysis sees through. Anything not modelled here is a coverage gap: it
//! returns what its receiver and arguments carried, and taints its `&mut` arguments.

use super::frame::Frame;
use super::places::collection_of;
use super::types::Mode;
use super::value::{Callable, ELEMENT, ERR, Global, Step, Taint, Value};
use crate::index::ir::{Expr, Pos};
use crate::index::ty::{Ty, Wrapper};
use privflow_model::policy::HOST_SINK;

/// Methods that hand back the receiver itself, or a view of it, part by part.
const SAME_VALUE: &[&str] = &[
    "clone",
    "to_owned",
    "as_ref",
    "as_mut",
    "as_deref",
    "as_deref_mut",
    "deref",
    "deref_mut",
    "borrow",
    "borrow_mut",
    "iter",
    "iter_mut",
    "into_iter",
    "by_ref",
    "cloned",
    "copied",
    "into",
    "try_into",
    "as_slice",
    "as_mut_slice",
    "to_vec",
    "into_boxed_slice",
    "peekable",
    "rev",
    "skip",
    "take",
    "step_by",
    "fuse",
    "into_inner",
    "get_ref",
    "get_mut",
    "lock",
    "read",
    "write",
    "try_lock",
    "try_read",
    "try_write",
    "as_path",
    "into_owned",
    "drain",
    "values",
    "values_mut",
    "into_values",
    "sorted",
    "dedup",
    "chunks",
    "windows",
    // Future wrappers (SPEC §6): the future, and what it resolves to, stay as they were.
    "instrument",
    "in_current_span",
    "with_current_subscriber",
    "with_subscriber",
    "boxed",
    "boxed_local",
];

/// Methods that take what is inside: an option's value, a collection's element.
const ELEMENT_OF: &[&str] = &[
    "unwrap",
    "expect",
    "unwrap_or_default",
    "unwrap_unchecked",
    "expect_err",
    "unwrap_err",
    "ok",
    "err",
    "get",
    "first",
    "last",
    "pop",
    "pop_front",
    "pop_back",
    "front",
    "back",
    "next",
    "next_back",
    "peek",
    "remove",
    "swap_remove",
    "recv",
    "try_recv",
    "blocking_recv",
    "recv_timeout",
    "take",
    "max",
    "min",
    "nth",
    "get_or_init",
    "join",
    "flatten",
    "transpose",
    "as_str",
];

/// Methods that combine the receiver with their arguments into something new (strings
/// and the like): the result carries all of it.
const COMBINE: &[&str] = &[
    "to_string",
    "to_lowercase",
    "to_uppercase",
    "trim",
    "trim_start",
    "trim_end",
    "chars",
    "bytes",
    "lines",
    "split",
    "split_whitespace",
    "splitn",
    "rsplit",
    "replace",
    "repeat",
    "concat",
    "join",
    "as_bytes",
    "to_ascii_lowercase",
    "to_ascii_uppercase",
    "format",
    "len",
    "is_empty",
    "contains",
    "starts_with",
    "ends_with",
    "eq",
    "cmp",
    "hash",
    "chars_rev",
    "sum",
    "product",
    "count",
    "ok_or",
    "and",
    "xor",
    "get_or_insert",
];

/// Methods whose argument goes into the receiver.
const INSERT: &[&str] = &[
    "push",
    "push_str",
    "push_back",
    "push_front",
    "insert",
    "send",
    "try_send",
    "blocking_send",
    "set",
    "append",
    "extend",
    "extend_from_slice",
    "write_str",
    "write_all",
    "write_fmt",
    "or_insert",
    "entry",
];

/// Error-context extensions of `Result` and `Option` (anyhow's and snafu's `Context`,
/// eyre's `WrapErr`, error-stack): the value stays, the error becomes a new one built
/// from the old error and the context (a string, or what a closure returns).
const ERROR_CONTEXT: &[&str] = &[
    "context",
    "with_context",
    "wrap_err",
    "wrap_err_with",
    "change_context",
    "attach_printable",
];

/// Adaptors that call their closure with the receiver's element.
const MAP_CLOSURE: &[&str] = &[
    "map",
    "and_then",
    "filter_map",
    "flat_map",
    "then",
    "map_while",
    "scan",
];
const KEEP_CLOSURE: &[&str] = &[
    "filter",
    "inspect",
    "find",
    "take_while",
    "skip_while",
    "retain",
    "sort_by_key",
    "sort_by",
    "max_by_key",
    "min_by_key",
    "max_by",
    "min_by",
    "dedup_by_key",
    "partition",
];
const CONSUME_CLOSURE: &[&str] = &[
    "for_each",
    "any",
    "all",
    "position",
    "try_for_each",
    "count_by",
];

impl Frame<'_, '_> {
    pub(super) fn external_method(
        &mut self,
        receiver: &Expr,
        receiver_value: Value,
        method: &str,
        arg_exprs: &[Expr],
        args: Vec<Value>,
        pos: Pos,
    ) -> Value {
        self.coverage.calls += 1;
        self.check_outside_method_sink(&receiver_value, method, &args, pos);
        // A value a catalogued SDK made: its methods are the SDK's, not the std ones a
        // name would suggest (`http.get(url)` is a request, not a lookup).
        let from_catalogued_crate = receiver_value
            .ty()
            .autoderef()
            .outside_crate()
            .is_some_and(|krate| self.cx.index.is_catalogued(krate));
        if from_catalogued_crate && args.iter().all(|arg| arg.callable.is_none()) {
            return self.unmodelled_method(receiver, &receiver_value, method, arg_exprs, args, pos);
        }
        let element = self.element(&receiver_value);
        // Closures first: their argument is the element (or, for `Option`/`Result`,
        // the value inside).
        let closure_index = args.iter().position(|arg| arg.callable.is_some());
        let is_result = matches!(
            receiver_value.ty().autoderef(),
            Ty::Wrapper(Wrapper::Result, _)
        ) || receiver_value.fields.contains_key(ERR);
        let is_option = matches!(
            receiver_value.ty().autoderef(),
            Ty::Wrapper(Wrapper::Option, _)
        );
        let adds_context = (is_result || is_option) && ERROR_CONTEXT.contains(&method);
        if let Some(closure_index) = closure_index {
            let closure = args[closure_index].clone();
            // A `Result`'s error handlers get the error, not the value.
            let call_args = match method {
                "fold" | "try_fold" => {
                    vec![args.first().cloned().unwrap_or_default(), element.clone()]
                }
                "map_err" | "or_else" | "unwrap_or_else" | "inspect_err" if is_result => {
                    vec![self.error_side(&receiver_value)]
                }
                "unwrap_or_else" | "or_else" | "ok_or_else" | "map_or_else"
                    if closure_index == 0 =>
                {
                    Vec::new()
                }
                _ if adds_context => Vec::new(),
                _ => vec![element.clone()],
            };
            let produced = self
                .apply_callable(&closure, call_args, pos)
                .unwrap_or_default();
            // A handler or callback given to a method no model describes (a router's
            // `route`, a framework's `to`): what it returns goes to the outside code.
            let modelled = adds_context
                || is_result
                || is_option
                || [MAP_CLOSURE, KEEP_CLOSURE, CONSUME_CLOSURE]
                    .iter()
                    .any(|list| list.contains(&method))
                || method.starts_with("map_or")
                || matches!(
                    method,
                    "fold" | "try_fold" | "ok_or_else" | "unwrap_or_else"
                );
            if !modelled {
                self.run_outside_trait_impls(&produced, pos, 0);
            }
            if adds_context {
                return self.with_error_context(&receiver_value, element, &[produced]);
            }
            if method == "ok_or_else" {
                return result_of(element, produced);
            }
            if method == "map_err" {
                return result_of(element, produced);
            }
            if MAP_CLOSURE.contains(&method) {
                // `filter_map`, `flat_map`, `and_then`: the closure returns an option or
                // an iterator, whose element is the new element.
                let produced = if matches!(method, "filter_map" | "flat_map" | "and_then") {
                    self.element(&produced)
                } else {
                    produced
                };
                return wrap_like(&receiver_value, produced);
            }
            if KEEP_CLOSURE.contains(&method) || method == "unwrap_or_else" || method == "or_else" {
                let mut kept = receiver_value.clone();
                if method.starts_with("unwrap")
                    || method == "find"
                    || method.starts_with("max")
                    || method.starts_with("min")
                {
                    kept = element.clone();
                }
                // `filter`, `find` and the like keep elements: what their closure
                // returns is a decision, not data. `unwrap_or_else` returns it.
                if method.ends_with("_else") {
                    kept.join(&produced);
                }
                return kept;
            }
            if CONSUME_CLOSURE.contains(&method) {
                return Value::default();
            }
            // fold, map_or, map_or_else, ok_or_else, ...
            let mut result = produced;
            for (index, arg) in args.iter().enumerate() {
                if index != closure_index {
                    result.join(arg);
                }
            }
            if method.starts_with("map_or") {
                result.join(&Value::tainted(self.full(&element, Mode::All)));
            }
            if !modelled {
                // A method no model describes returns what its receiver carried too.
                result.outside.join(&self.full(&receiver_value, Mode::All));
            }
            return result;
        }
        // Channel ends typed with what they carry share one global channel per type.
        let channel = match receiver_value.ty().autoderef() {
            Ty::Wrapper(kind @ (Wrapper::Sender | Wrapper::Receiver), args)
                if args.first().is_some_and(|arg| !arg.is_unknown()) =>
            {
                Some((*kind, Global::Channel(format!("{:?}", args[0]))))
            }
            _ => None,
        };
        if let Some((Wrapper::Sender, key)) = &channel
            && matches!(
                method,
                "send" | "try_send" | "blocking_send" | "send_timeout"
            )
        {
            let cell = self.global_cell(key.clone(), pos);
            let mut sent = Value::default();
            for arg in &args {
                sent.join(arg);
            }
            let mut stored = Value::default();
            stored.fields.insert(ELEMENT.to_owned(), sent);
            self.join_cell(cell, &stored);
        }
        if let Some((Wrapper::Receiver, key)) = &channel
            && matches!(
                method,
                "recv" | "try_recv" | "blocking_recv" | "recv_timeout" | "iter" | "try_iter"
            )
        {
            let cell = self.global_cell(key.clone(), pos);
            let content = self.cells.get(cell).cloned().unwrap_or_default();
            let mut received = self.element(&content);
            received.join(&element);
            if let Ty::Wrapper(_, args) = receiver_value.ty().autoderef()
                && let Some(item) = args.first()
                && received.ty.is_none()
            {
                received.ty = Some(item.clone());
            }
            return received;
        }
        // A store into the receiver: where a model says so for the receiver's type
        // (collections, maps, channels, what a lock guards, shared cells; the insert
        // methods of strings, buffers and formatters, whose types the analysis does not
        // name, on a place the code may mutate). Through a shared reference, a binding
        // without `mut` or a static, nothing is stored: a method name alone never
        // decides it.
        let mutable_root = self.may_mutate_root(receiver);
        let stores_by_type = receiver_value.cell.is_some()
            || matches!(
                receiver_value.ty().autoderef(),
                Ty::Wrapper(
                    Wrapper::Collection | Wrapper::Map | Wrapper::Sender | Wrapper::Lock,
                    _
                )
            );
        if INSERT.contains(&method) && (stores_by_type || mutable_root) {
            let mut inserted = Value::default();
            for arg in &args {
                let part = if matches!(method, "extend" | "append" | "extend_from_slice") {
                    self.element(arg)
                } else {
                    arg.clone()
                };
                inserted.join(&part);
            }
            // The element keeps its parts: reading a field of an element reads what was
            // stored in that field, not the whole element (SPEC §6, field sensitivity).
            let stored = Step {
                location: self.location(pos),
                note: std::sync::Arc::from(format!("stored by `.{method}()`")),
            };
            let mut written = Value::default();
            written
                .fields
                .insert(ELEMENT.to_owned(), inserted.with_step(&stored));
            if let Some(cell) = receiver_value.cell {
                self.join_cell(cell, &written);
            }
            self.assign(receiver, written, true);
            return match method {
                "entry" | "or_insert" => receiver_value,
                _ => Value::default(),
            };
        }
        if method == "collect" || method == "collect_vec" {
            return collection_of(element);
        }
        // `Option`/`Result` fallbacks keep the structure of what they return: the value
        // inside, or the fallback (SPEC §6: wrapping and combinators keep structure).
        if method == "unwrap_or" || method == "or" {
            let mut result = if method == "or" {
                receiver_value.clone()
            } else {
                element.clone()
            };
            for arg in &args {
                result.join(arg);
            }
            return result;
        }
        if method == "ok_or" {
            return result_of(element, args.into_iter().next().unwrap_or_default());
        }
        if adds_context {
            return self.with_error_context(&receiver_value, element, &args);
        }
        if matches!(method, "err" | "unwrap_err" | "expect_err") {
            return self.error_side(&receiver_value);
        }
        if ELEMENT_OF.contains(&method) {
            let mut result = element;
            for arg in &args {
                result.taint.join(&self.full(arg, Mode::All));
            }
            if matches!(method, "get" | "remove") {
                // The key does not flow into the value it looks up.
                result.taint = self.element(&receiver_value).taint;
            }
            return result;
        }
        if SAME_VALUE.contains(&method) {
            let mut result = receiver_value;
            for arg in &args {
                result.taint.join(&self.full(arg, Mode::All));
            }
            return result;
        }
        // Iterator adaptors over two sequences keep their elements apart: `zip` pairs
        // them, `chain` yields either.
        if let ("zip" | "chain", [other]) = (method, args.as_slice()) {
            let theirs = self.element(other);
            let element = if method == "zip" {
                let mut pair = Value::default();
                pair.fields.insert("0", element);
                pair.fields.insert("1", theirs);
                pair
            } else {
                element.joined(&theirs)
            };
            return collection_of(element);
        }
        if method == "enumerate" {
            let mut pair = Value::default();
            pair.fields.insert("1", element);
            return collection_of(pair);
        }
        if COMBINE.contains(&method) {
            let mut taint = self.full(&receiver_value, Mode::All);
            for arg in &args {
                taint.join(&self.full(arg, Mode::All));
            }
            return Value::tainted(taint);
        }
        self.unmodelled_method(receiver, &receiver_value, method, arg_exprs, args, pos)
    }

    /// A method no model describes: its result is an outside value, from the receiver's
    /// crate when that is known, carrying the receiver and the arguments.
    fn unmodelled_method(
        &mut self,
        receiver: &Expr,
        receiver_value: &Value,
        method: &str,
        arg_exprs: &[Expr],
        args: Vec<Value>,
        pos: Pos,
    ) -> Value {
        self.coverage.calls_unresolved += 1;
        let mut taint = self.full(receiver_value, Mode::All);
        for arg in &args {
            taint.join(&self.full(arg, Mode::All));
        }
        let refs: Vec<&Expr> = arg_exprs.iter().collect();
        let args_taint = self
            .unknown_call(args, &refs, pos, &format!(".{method}()"))
            .outside;
        // A method on a place the code may mutate may keep what it is given in its
        // receiver (a builder, a buffer). SPEC §6 asks for a discarded-result statement
        // as well; requiring it lost real stores here (a gap noted in docs/analysis.md).
        if !args_taint.is_empty() && self.may_mutate_root(receiver) {
            self.assign(receiver, Value::tainted(args_taint), true);
        }
        if !taint.is_empty() {
            taint = taint.with_step(&self.outside_step(pos, &format!(".{method}()")));
        }
        let mut result = Value::from_outside(taint);
        if let Some(krate) = receiver_value.ty().autoderef().outside_crate() {
            result.ty = Some(Ty::Outside(std::sync::Arc::from(krate)));
        }
        result
    }

    pub(super) fn external_call(
        &mut self,
        path: &[String],
        args: Vec<Value>,
        exprs: &[&Expr],
        pos: Pos,
    ) -> Value {
        self.coverage.calls += 1;
        let name = path.last().map(String::as_str).unwrap_or_default();
        let owner = path
            .len()
            .checked_sub(2)
            .and_then(|index| path.get(index))
            .map(String::as_str)
            .unwrap_or_default();
        let first = args.first().cloned().unwrap_or_default();
        let joined = path.join("::");
        let declared = self
            .cx
            .policy
            .sink_for_function(&joined)
            .map(|sink| (sink.id.clone(), None));
        let catalogued = || {
            self.cx.index.catalogued_function(&joined).map(|entry| {
                let note = format!(
                    "passed to {} `{name}` (sink catalog: {})",
                    entry.krate, entry.sink
                );
                (entry.sink.clone(), Some(note))
            })
        };
        if let Some((sink, note)) = declared.or_else(catalogued) {
            let site = self.location(pos);
            let mut taint = Taint::default();
            for arg in &args {
                taint.join(&self.full(arg, Mode::All));
            }
            if let Some(note) = note {
                let step = Step {
                    location: site,
                    note: std::sync::Arc::from(note),
                };
                taint = taint.with_step(&step);
            }
            self.hit(&sink, site, taint);
        }
        match (owner, name) {
            (_, "Some" | "Ok" | "Err")
            | ("Box" | "Rc" | "Arc" | "Pin" | "Cow", "new" | "from" | "pin") => {
                let wrapper = match name {
                    "Some" => Wrapper::Option,
                    "Ok" | "Err" => Wrapper::Result,
                    _ => Wrapper::Pointer,
                };
                let mut value = Value::typed(Ty::Wrapper(wrapper, vec![first.ty().clone()]));
                value.cell = first.cell;
                // The error side of a `Result` is its own part: `?` and `Ok(..)` patterns
                // do not see it.
                let part = if name == "Err" { ERR } else { ELEMENT };
                value.fields.insert(part.to_owned(), first);
                value
            }
            ("Mutex" | "RwLock" | "RefCell" | "Cell" | "OnceCell" | "UnsafeCell", "new") => {
                let cell = self.cell_at(pos, &first);
                Value {
                    ty: Some(Ty::Wrapper(Wrapper::Lock, vec![first.ty().clone()])),
                    cell: Some(cell),
                    ..Value::default()
                }
            }
            (_, "channel" | "sync_channel" | "unbounded_channel" | "unbounded" | "bounded") => {
                let cell = self.cell_at(pos, &Value::default());
                let end = |kind| Value {
                    ty: Some(Ty::Wrapper(kind, Vec::new())),
                    cell: Some(cell),
                    ..Value::default()
                };
                let mut pair = Value::default();
                pair.fields.insert("0", end(Wrapper::Sender));
                pair.fields.insert("1", end(Wrapper::Receiver));
                pair
            }
            (_, "spawn" | "spawn_blocking" | "spawn_local" | "block_on" | "scope") => {
                let produced = args
                    .iter()
                    .find(|arg| arg.callable.is_some())
                    .cloned()
                    .and_then(|closure| self.apply_callable(&closure, Vec::new(), pos));
                let inner = produced.unwrap_or(first);
                let mut handle =
                    Value::typed(Ty::Wrapper(Wrapper::Future, vec![inner.ty().clone()]));
                handle.fields.insert(ELEMENT.to_owned(), inner);
                handle
            }
            ("serde_json" | "serde_yaml" | "toml" | "bincode" | "postcard" | "rmp_serde", _)
                if name.starts_with("to_") =>
            {
                let mut taint = Taint::default();
                for arg in &args {
                    taint.join(&self.full(arg, Mode::Serialize));
                }
                Value::tainted(taint)
            }
            ("mem", "take" | "replace") => first,
            // `Rc::clone(&x)`, `Clone::clone(&x)`: the same value, part by part.
            (_, "clone" | "to_owned" | "as_ref" | "borrow") => first,
            (_, "drop") => Value::default(),
            ("String" | "PathBuf", "from" | "new" | "with_capacity")
            | (_, "from" | "into" | "to_string") => {
                let mut taint = Taint::default();
                for arg in &args {
                    taint.join(&self.full(arg, Mode::All));
                }
                let mut value = Value::tainted(taint);
                if name != "from" || owner == "String" {
                    return value;
                }
                value.ty = first.ty.clone();
                value
            }
            (
                "Vec" | "HashMap" | "BTreeMap" | "VecDeque" | "HashSet",
                "new" | "with_capacity" | "default",
            ) => collection_of(Value::default()),
            _ => {
                self.run_catalogued_callbacks(path, &args, pos);
                self.coverage.calls_unresolved += 1;
                self.unknown_call(args, exprs, pos, &joined)
            }
        }
    }

    /// A closure given to a catalogued crate's function (`sentry::configure_scope(|scope|
    /// ..)`) runs with what that crate passes it: values the crate made, on which the
    /// catalog's methods are sink calls (`scope.set_user(..)`).
    fn run_catalogued_callbacks(&mut self, path: &[String], args: &[Value], pos: Pos) {
        let Some(krate) = path.first() else {
            return;
        };
        if !self.cx.index.is_catalogued(krate) {
            return;
        }
        let made: Value = Value::typed(Ty::Outside(std::sync::Arc::from(krate.as_str())));
        for arg in args {
            if let Some(Callable::Closure(closure)) = &arg.callable {
                let arity = closure.def.params.len();
                let callback = arg.clone();
                self.apply_callable(&callback, vec![made.clone(); arity], pos);
            }
        }
    }
}

/// The result of mapping over a container: the same kind of container around `inner`.
fn wrap_like(container: &Value, inner: Value) -> Value {
    let mut value = Value::typed(match container.ty() {
        Ty::Wrapper(kind, _) => Ty::Wrapper(*kind, vec![inner.ty().clone()]),
        _ => Ty::Wrapper(Wrapper::Collection, vec![inner.ty().clone()]),
    });
    value.taint = container.taint.clone();
    value.fields.insert(ELEMENT.to_owned(), inner);
    value
}

impl Frame<'_, '_> {
    /// A method of an outside type declared a sink in `privflow.toml`
    /// (`tracing::Span::record`), called on a value known to be of that type (declared,
    /// or made by `Span::current()`), or a method the sink catalog lists for the crate
    /// that made the value (`create` on anything async-openai made): the receiver and
    /// the arguments reach it. Whether it sent a request to the host its URL names.
    pub(super) fn check_outside_method_sink(
        &mut self,
        receiver: &Value,
        method: &str,
        args: &[Value],
        pos: Pos,
    ) -> bool {
        let Ty::Outside(path) = receiver.ty().autoderef() else {
            return false;
        };
        enum Found<'i> {
            Declared(String, String),
            Catalogued(&'i crate::index::catalog::ActiveCatalogEntry),
        }
        let index = self.cx.index;
        let declared = path
            .contains("::")
            .then(|| format!("{path}::{method}"))
            .and_then(|declared| {
                let sink = self.cx.policy.sink_for_function(&declared)?;
                Some(Found::Declared(sink.id.clone(), declared))
            });
        let krate = path.split("::").next().unwrap_or_default();
        let Some(found) = declared.or_else(|| {
            index
                .catalogued_method(krate, method)
                .map(Found::Catalogued)
        }) else {
            return false;
        };
        // What reaches the sink is computed only for a sink call: this runs for every
        // method called on an outside value.
        let mut taint = self.full(receiver, Mode::All);
        for arg in args {
            taint.join(&self.full(arg, Mode::All));
        }
        let sends_request = matches!(&found, Found::Catalogued(entry) if entry.sink == HOST_SINK);
        // (sink, what the trace says of the call)
        let hits: Vec<(String, String)> = match found {
            Found::Declared(sink, declared) => vec![(sink, format!("passed to `{declared}`"))],
            // An HTTP client: the request goes to the known hosts its URL named.
            Found::Catalogued(entry) if entry.sink == HOST_SINK => taint
                .destination_sinks()
                .map(|sink| {
                    let note = format!(
                        "sent by {} `{method}` to a {sink} host (sink catalog)",
                        entry.krate
                    );
                    (sink.to_string(), note)
                })
                .collect(),
            Found::Catalogued(entry) => {
                let note = format!(
                    "passed to {} `{method}` (sink catalog: {})",
                    entry.krate, entry.sink
                );
                vec![(entry.sink.clone(), note)]
            }
        };
        let site = self.location(pos);
        for (sink, note) in hits {
            let step = Step {
                location: site,
                note: std::sync::Arc::from(note),
            };
            self.hit(&sink, site, taint.with_step(&step));
        }
        sends_request
    }

    /// `result.context(c)`: the same value, and an error built from the old one (none,
    /// for an `Option`) and the context.
    fn with_error_context(&self, receiver: &Value, value: Value, context: &[Value]) -> Value {
        let mut error = self.error_side(receiver);
        if !receiver.fields.contains_key(ERR)
            && matches!(receiver.ty().autoderef(), Ty::Wrapper(Wrapper::Option, _))
        {
            error = Value::default();
        }
        for part in context {
            error.join(part);
        }
        result_of(value, error)
    }
}

/// `Ok(ok)` and `Err(err)` in one value, each its own part.
fn result_of(ok: Value, err: Value) -> Value {
    let mut value = Value::typed(Ty::Wrapper(
        Wrapper::Result,
        vec![ok.ty().clone(), err.ty().clone()],
    ));
    value.fields.insert(ELEMENT.to_owned(), ok);
    value.fields.insert(ERR.to_owned(), err);
    value
}

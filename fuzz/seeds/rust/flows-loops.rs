//! Loops the fixpoint must run to the end: values that need many trips around a loop to
//! reach the sink, and loops nested six deep, each both ways (a flow and a quiet twin).

use flows_model::Contact;

// Four hops around the loop: e -> d -> c -> b -> a. `a` holds the email only after the
// fifth trip; a pass limit of three would miss it.
pub fn chain_needs_five_trips(c: &Contact, n: usize) {
    let (mut a, mut b, mut d, mut e) = (String::new(), String::new(), String::new(), String::new());
    let mut cc = String::new();
    let mut i = 0;
    while i < n {
        a = b.clone();
        b = cc.clone();
        cc = d.clone();
        d = e.clone();
        e = c.email.clone();
        i += 1;
    }
    println!("{a}"); // expect: contact.email -> logs (violation)
}

// The same chain fed by an untagged value: nothing arrives, however many trips.
pub fn chain_needs_five_trips_quiet(c: &Contact, n: usize) {
    let (mut a, mut b, mut d, mut e) = (String::new(), String::new(), String::new(), String::new());
    let mut cc = String::new();
    for _ in 0..n {
        a = b.clone();
        b = cc.clone();
        cc = d.clone();
        d = e.clone();
        e = c.id.to_string();
    }
    println!("{a}"); // expect: none
}

// A seven-step chain through a `loop` with `break`: the name reaches `first` only after
// seven trips.
pub fn chain_of_seven_in_loop(c: &Contact) {
    let mut parts: [String; 7] = Default::default();
    let mut first = String::new();
    let mut second = String::new();
    let mut third = String::new();
    let mut fourth = String::new();
    let mut fifth = String::new();
    let mut sixth = String::new();
    let mut seventh = String::new();
    let mut trips = 0;
    loop {
        first = second.clone();
        second = third.clone();
        third = fourth.clone();
        fourth = fifth.clone();
        fifth = sixth.clone();
        sixth = seventh.clone();
        seventh = c.name.clone();
        trips += 1;
        if trips > 10 {
            break;
        }
    }
    parts[0] = first;
    println!("{}", parts[0]); // expect: contact.name -> logs (violation)
}

// Six loops deep: the tagged value is written in the innermost loop and printed after
// the outermost.
pub fn nested_six_deep(c: &Contact, n: usize) {
    let mut out = String::new();
    for _ in 0..n {
        for _ in 0..n {
            let mut j = 0;
            while j < n {
                for _ in 0..n {
                    loop {
                        for _ in 0..n {
                            out = c.phone.clone().unwrap_or_default();
                        }
                        break;
                    }
                }
                j += 1;
            }
        }
    }
    println!("{out}"); // expect: contact.phone -> logs (violation)
}

// Six loops deep, where the value moves outwards one level per trip of the outermost
// loop: `l1` holds the email only after the innermost write travelled through every
// level.
pub fn nested_six_deep_relay(c: &Contact, n: usize) {
    let (mut l1, mut l2, mut l3, mut l4, mut l5, mut l6) = (
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    );
    for _ in 0..n {
        l1 = l2.clone();
        for _ in 0..n {
            l2 = l3.clone();
            for _ in 0..n {
                l3 = l4.clone();
                for _ in 0..n {
                    l4 = l5.clone();
                    for _ in 0..n {
                        l5 = l6.clone();
                        for _ in 0..n {
                            l6 = c.email.clone();
                        }
                    }
                }
            }
        }
    }
    println!("{l1}"); // expect: contact.email -> logs (violation)
}

// Six loops deep, the innermost writing only an untagged value; the tagged one is
// overwritten before the loops and never comes back.
pub fn nested_six_deep_quiet(c: &Contact, n: usize) {
    let mut out = c.email.clone();
    out = String::from("redacted");
    for _ in 0..n {
        for _ in 0..n {
            for _ in 0..n {
                for _ in 0..n {
                    for _ in 0..n {
                        for _ in 0..n {
                            out = c.id.to_string();
                        }
                    }
                }
            }
        }
    }
    println!("{out}"); // expect: none
}

// A sink inside the sixth loop sees what the outer loops carried in.
pub fn sink_six_deep(c: &Contact, n: usize) {
    let mut carried = String::new();
    for _ in 0..n {
        for _ in 0..n {
            for _ in 0..n {
                for _ in 0..n {
                    for _ in 0..n {
                        for _ in 0..n {
                            println!("{carried}"); // expect: contact.name -> logs (violation)
                        }
                    }
                }
            }
        }
        carried = c.name.clone();
    }
}

//! A fake GoHighLevel on 127.0.0.1 for tests: records every request and answers from a
//! script of canned responses.

//! End-to-end tests of pubeval: they run the real `pubeval` binary and, once the server
//! exists, the real application through `build_app`.

//! Admins only: `/console/users` (list, create, disable, reset a password) and
//! `/console/clients` (list, create, disable, rotate a secret — a secret is shown once, on the
//! page that answers the form). Anyone else gets the 403 page.

mod clients;
mod users;

pub use self::clients::{
    create as create_client, disable as disable_client, list as clients, rotate,
};
pub use self::users::{
    create as create_user, disable as disable_user, list as users, reset_password,
};

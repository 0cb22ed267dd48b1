//! The signed-in user, as the pages see it: one resource, refetched after sign-in and
//! sign-up, shared through context. (Signing out loads the login page as a new document.)

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::User;
use crate::server_fns::auth::{Login, Register, current_user};

#[derive(Clone, Copy)]
pub struct UserSession {
    pub user: Resource<Result<Option<User>, AppError>>,
    pub login: ServerAction<Login>,
    pub register: ServerAction<Register>,
}

pub fn provide_session() {
    let login = ServerAction::<Login>::new();
    let register = ServerAction::<Register>::new();
    let user = Resource::new(
        move || (login.version().get(), register.version().get()),
        |_| current_user(),
    );
    provide_context(UserSession {
        user,
        login,
        register,
    });
}

pub fn use_session() -> UserSession {
    expect_context::<UserSession>()
}

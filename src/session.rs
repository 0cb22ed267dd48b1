//! The signed-in user, as the pages see it: one resource, refetched after sign-in,
//! sign-up and sign-out, shared through context.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::User;
use crate::server_fns::auth::{Login, Logout, Register, current_user};

#[derive(Clone, Copy)]
pub struct UserSession {
    pub user: Resource<Result<Option<User>, AppError>>,
    pub login: ServerAction<Login>,
    pub register: ServerAction<Register>,
    pub logout: ServerAction<Logout>,
}

pub fn provide_session() {
    let login = ServerAction::<Login>::new();
    let register = ServerAction::<Register>::new();
    let logout = ServerAction::<Logout>::new();
    let user = Resource::new(
        move || {
            (
                login.version().get(),
                register.version().get(),
                logout.version().get(),
            )
        },
        |_| current_user(),
    );
    provide_context(UserSession {
        user,
        login,
        register,
        logout,
    });
}

pub fn use_session() -> UserSession {
    expect_context::<UserSession>()
}

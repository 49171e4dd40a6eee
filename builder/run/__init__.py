"""The run folder's state that the stages read and write: its layout and resolved config (`folder`),
the row-level journal (`journal`, `journal_check`), outage notes (`outage`), and how step processes
end with the build (`lifetime`). The outputs written from it are the application's (`builder.app`)."""

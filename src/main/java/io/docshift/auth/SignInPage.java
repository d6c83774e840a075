package io.docshift.auth;

/** The dashboard's sign-in page: what a browser gets, with the 401, when it opens the dashboard without a session. */
public final class SignInPage {

    private SignInPage() {
    }

    /** After a key that is not valid. */
    public static String failed() {
        return html("That key is not valid.");
    }

    static String html(String message) {
        return """
                <!doctype html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Sign in · Docshift</title>
                <style>
                  body { font: 16px/1.5 system-ui, sans-serif; background: #f4f5f7; color: #1d2330; display: grid; place-items: center; min-height: 100vh; margin: 0; }
                  form { background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 4px #0002; width: min(24rem, 90vw); }
                  h1 { font-size: 1.3rem; margin: 0 0 1rem; }
                  label { display: block; font-weight: 600; margin-bottom: .3rem; }
                  input { width: 100%; box-sizing: border-box; padding: .55rem; font: inherit; border: 1px solid #9aa3b5; border-radius: 4px; }
                  button { margin-top: 1rem; padding: .55rem 1.2rem; font: inherit; background: #2d5bd7; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
                  button:focus, input:focus { outline: 3px solid #9db6f5; }
                  .error { color: #b00020; margin: 0 0 1rem; }
                  p.hint { color: #555; font-size: .9rem; }
                </style>
                </head>
                <body>
                <form method="post" action="/dashboard/session">
                  <h1>Docshift dashboard</h1>
                  {message}
                  <label for="key">API key</label>
                  <input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
                  <p class="hint">A read key shows everything; an admin key can also run, cancel, resume and roll back.
                  The key stays with this browser session only.</p>
                  <button type="submit">Sign in</button>
                </form>
                </body>
                </html>
                """.replace("{message}", message == null ? "" : "<p class=\"error\" role=\"alert\">" + message + "</p>");
    }
}

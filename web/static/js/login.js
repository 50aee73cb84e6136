// The login page: posts the credentials as JSON and, once signed in, goes
// back to the page that sent the user here.

const form = document.getElementById('login');
const message = document.getElementById('message');

// target returns the page to open after login: the "next" parameter when
// it is a path on this server, the Active Flows page otherwise.
function target() {
  const next = new URLSearchParams(location.search).get('next') || '/';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  message.textContent = '';
  const body = JSON.stringify({ user: form.user.value, password: form.password.value });
  let response;
  try {
    response = await fetch('/api/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
      credentials: 'same-origin',
    });
  } catch (err) {
    message.textContent = `Sign-in failed: ${err.message}`;
    return;
  }
  if (response.ok) {
    location.assign(target());
    return;
  }
  let text = `Sign-in failed (HTTP ${response.status})`;
  try {
    text = (await response.json()).error || text;
  } catch {
    // The body was not JSON; keep the status line.
  }
  message.textContent = text;
});

// Who is signed in: the token and the user it names, kept in localStorage.
const KEY = "classreel.session";

function read() {
  try {
    return JSON.parse(localStorage.getItem(KEY)) || null;
  } catch {
    return null;
  }
}

export const session = {
  token: () => read()?.token || null,
  user: () => read()?.user || null,
  save(token, user) {
    localStorage.setItem(KEY, JSON.stringify({ token, user }));
  },
  clear() {
    localStorage.removeItem(KEY);
  },
  has(role) {
    return (read()?.user?.roles || []).includes(role);
  },
};

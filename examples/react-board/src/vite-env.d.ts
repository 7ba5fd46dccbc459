/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The API's address the sign-in form starts with (default http://127.0.0.1:3001). */
  readonly VITE_TASKLANE_API?: string;
}

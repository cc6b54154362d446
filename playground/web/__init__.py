"""The Streamlit front end: pages, session state, and the browser components (their JavaScript and CSS are files in
`assets/`). Pages compute nothing themselves: they call the core and hand arrays to the components and figures."""

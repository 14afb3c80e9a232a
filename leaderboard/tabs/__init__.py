"""The Gradio tabs: layout and events only, each built from the app context."""

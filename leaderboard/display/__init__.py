"""How values are shown: number formats, the star palette, plots, Markdown and every user-facing string."""

"""Fast choice labels for list pages.

Django's `get_FOO_display()` builds a dict of all the field's choices on every call, which
hashes, and so translates, every lazy label: nine gettext calls to show one word. A model
assigns `get_FOO_display = display("FOO", Choices.choices)` instead; the lookup is by value
and only the label shown is translated.
"""


def display(field, choices):
    labels = dict(choices)

    def get_display(self):
        value = getattr(self, field)
        return str(labels.get(value, value))

    get_display.__name__ = f"get_{field}_display"
    return get_display

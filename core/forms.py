from django import forms


class BootstrapFormMixin:
    """Adds Bootstrap classes to every widget; marks invalid fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput,)):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"

    def full_clean(self):
        # Mark invalid fields after validation (validating in __init__ would run before a
        # subclass has narrowed its querysets to the user's scope).
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = (widget.attrs.get("class", "") + " is-invalid").strip()


class VersionFormMixin(forms.Form):
    """Carries the version the record had when the form was opened (optimistic concurrency)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

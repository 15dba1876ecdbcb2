"""Griffe extension: the API reference leaves out instance attributes that have no docstring.

``self.patience = patience`` in ``__init__`` makes griffe list ``patience`` as a member of the class;
with ``show_if_no_docstring`` on (so that every public function and class is listed, documented or not)
that added some 780 bare attribute entries that only repeat the constructor's arguments. Attributes
with a docstring, and class attributes, stay."""
from __future__ import annotations

import griffe


class QuietAttributes(griffe.Extension):
    def on_class(self, *, cls, **kwargs):
        for name, member in list(cls.members.items()):
            if (not member.is_alias and member.is_attribute and "instance-attribute" in member.labels
                    and member.docstring is None):
                cls.del_member(name)

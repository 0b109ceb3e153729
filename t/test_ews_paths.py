"""Property paths a client got wrong, in every place a request names one:
item and folder shapes (AdditionalProperties), restrictions (the path
operand and FieldURIOrConstant), SortOrder, GroupBy, UpdateItem's
SetItemField/AppendToItemField/DeleteItemField and UpdateFolder's folder
equivalents, and extended properties of a new item.

What Exchange does: the request is validated against the schema first, so
a FieldURI outside UnindexedFieldURIType, an IndexedFieldURI outside
DictionaryURIType, a PropertyType outside MapiPropertyTypeType, a
DistinguishedPropertySetId outside DistinguishedPropertySetType, a
PropertyTag that is no number, a PropertySetId that is no GUID or a
missing required attribute is a SOAP fault with ErrorSchemaValidation,
wherever it is; an ExtendedFieldURI that passes the schema but whose
attributes don't go together is ErrorInvalidExtendedProperty for that
item, an IndexedFieldURI whose FieldIndex is not one of its dictionary's
is ErrorInvalidPropertyRequest."""

import xml.etree.ElementTree as ET

import pytest

from ewslib import NS, envelope, fault, messages, post, soap

INBOX = '<t:DistinguishedFolderId Id="inbox"/>'


def create_message(nginx, subject="Paths"):
    body = ('<m:CreateItem MessageDisposition="SaveOnly"><m:SavedItemFolderId>'
            + INBOX + '</m:SavedItemFolderId><m:Items><t:Message><t:Subject>'
            '%s</t:Subject></t:Message></m:Items></m:CreateItem>' % subject)
    root = soap(nginx, body)
    assert [c for _, c, _ in messages(root)] == ["NoError"]
    return root.find(".//t:ItemId", NS)


def create_folder(nginx, name):
    body = ('<m:CreateFolder><m:ParentFolderId>' + INBOX +
            '</m:ParentFolderId><m:Folders><t:Folder><t:DisplayName>%s'
            '</t:DisplayName></t:Folder></m:Folders></m:CreateFolder>' % name)
    root = soap(nginx, body)
    assert [c for _, c, _ in messages(root)] == ["NoError"]
    return root.find(".//t:FolderId", NS)


# one request per place a path goes; %(p)s is the path, %(v)s a value
# element for it where the place takes one

def get_item(iid):
    return ('<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape>'
            '<t:AdditionalProperties>%(p)s</t:AdditionalProperties>'
            '</m:ItemShape><m:ItemIds><t:ItemId Id="' + iid + '"/>'
            '</m:ItemIds></m:GetItem>')


def get_folder(_):
    return ('<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape>'
            '<t:AdditionalProperties>%(p)s</t:AdditionalProperties>'
            '</m:FolderShape><m:FolderIds>' + INBOX + '</m:FolderIds>'
            '</m:GetFolder>')


FIND = ('<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly'
        '</t:BaseShape></m:ItemShape>%s<m:ParentFolderIds>' + INBOX +
        '</m:ParentFolderIds></m:FindItem>')


def restriction(_):
    return FIND % ('<m:Restriction><t:IsEqualTo>%(p)s<t:FieldURIOrConstant>'
                   '<t:Constant Value="1"/></t:FieldURIOrConstant>'
                   '</t:IsEqualTo></m:Restriction>')


def restriction_exists(_):
    return FIND % '<m:Restriction><t:Exists>%(p)s</t:Exists></m:Restriction>'


def field_uri_or_constant(_):
    return FIND % ('<m:Restriction><t:IsEqualTo><t:FieldURI FieldURI='
                   '"item:Subject"/><t:FieldURIOrConstant>%(p)s'
                   '</t:FieldURIOrConstant></t:IsEqualTo></m:Restriction>')


def find_folder_restriction(_):
    return ('<m:FindFolder Traversal="Shallow"><m:FolderShape><t:BaseShape>'
            'IdOnly</t:BaseShape></m:FolderShape><m:Restriction><t:Exists>'
            '%(p)s</t:Exists></m:Restriction><m:ParentFolderIds>' + INBOX +
            '</m:ParentFolderIds></m:FindFolder>')


def sort_order(_):
    return FIND.replace('<m:ParentFolderIds>',
                        '<m:SortOrder><t:FieldOrder Order="Ascending">%(p)s'
                        '</t:FieldOrder></m:SortOrder><m:ParentFolderIds>')


def group_by(_):
    return FIND % ('<m:GroupBy Order="Ascending">%(p)s<t:AggregateOn '
                   'Aggregate="Maximum"><t:FieldURI FieldURI='
                   '"item:DateTimeReceived"/></t:AggregateOn></m:GroupBy>')


def update(kind, what="Item", obj="Message"):
    """UpdateItem or UpdateFolder with one change of that kind."""
    def make(oid):
        return ('<m:Update%s><m:%sChanges><t:%sChange><t:%sId Id="%s"/>'
                '<t:Updates><t:%s>%%(p)s%s</t:%s></t:Updates></t:%sChange>'
                '</m:%sChanges></m:Update%s>'
                % (what + (' ConflictResolution="AlwaysOverwrite" '
                           'MessageDisposition="SaveOnly"'
                           if what == "Item" else ""),
                   what, what, what, oid, kind,
                   "" if kind.startswith("Delete")
                   else "<t:%s>%%(v)s</t:%s>" % (obj, obj),
                   kind, what, what, what))
    return make


def create_item(_):
    return ('<m:CreateItem MessageDisposition="SaveOnly"><m:SavedItemFolderId>'
            + INBOX + '</m:SavedItemFolderId><m:Items><t:Message>'
            '<t:Subject>x</t:Subject>%(v)s</t:Message></m:Items>'
            '</m:CreateItem>')


PLACES = {
    "GetItem AdditionalProperties": (get_item, "item"),
    "GetFolder AdditionalProperties": (get_folder, None),
    "Restriction operand": (restriction, None),
    "Restriction Exists": (restriction_exists, None),
    "FieldURIOrConstant": (field_uri_or_constant, None),
    "FindFolder Restriction": (find_folder_restriction, None),
    "SortOrder": (sort_order, None),
    "GroupBy": (group_by, None),
    "SetItemField": (update("SetItemField"), "item"),
    "AppendToItemField": (update("AppendToItemField"), "item"),
    "DeleteItemField": (update("DeleteItemField"), "item"),
    "SetFolderField": (update("SetFolderField", "Folder", "Folder"),
                      "folder"),
    "AppendToFolderField": (update("AppendToFolderField", "Folder", "Folder"),
                           "folder"),
    "DeleteFolderField": (update("DeleteFolderField", "Folder", "Folder"),
                         "folder"),
    "CreateItem ExtendedProperty": (create_item, None),
}


def request(nginx, place, path, value=None):
    make, needs = PLACES[place]
    arg = None
    if needs == "item":
        arg = create_message(nginx).get("Id")
    elif needs == "folder":
        arg = create_folder(nginx, "Paths %d" % id(path)).get("Id")
    if value is None:
        value = ('<t:ExtendedProperty>%s<t:Value>1</t:Value>'
                 '</t:ExtendedProperty>' % path
                 if path.startswith("<t:ExtendedFieldURI") else "")
    return make(arg) % {"p": path, "v": value}


def schema_fault(nginx, body):
    r = post(nginx, envelope(body))
    assert r.status_code == 500, r.text
    root = ET.fromstring(r.content)
    assert fault(root) == ("a:ErrorSchemaValidation", "ErrorSchemaValidation")
    return root.find(".//t:Violation", NS)


# each bad path in the place where it is most at home, and the misspelt
# FieldURI in every place

BAD_SCHEMA = [
    ("a misspelt FieldURI", '<t:FieldURI FieldURI="item:Subjectt"/>'),
    ("a FieldURI of no field type", '<t:FieldURI FieldURI="Subject"/>'),
    ("no FieldURI attribute", '<t:FieldURI/>'),
    ("an IndexedFieldURI of no dictionary",
     '<t:IndexedFieldURI FieldURI="contacts:EmailAddresss" '
     'FieldIndex="EmailAddress1"/>'),
    ("an IndexedFieldURI without FieldIndex",
     '<t:IndexedFieldURI FieldURI="contacts:EmailAddress"/>'),
    ("no PropertyType", '<t:ExtendedFieldURI PropertyTag="0x3004"/>'),
    ("an unknown PropertyType",
     '<t:ExtendedFieldURI PropertyTag="0x3004" PropertyType="Text"/>'),
    ("a PropertyTag that is no number",
     '<t:ExtendedFieldURI PropertyTag="subject" PropertyType="String"/>'),
    ("a PropertyTag over 16 bits",
     '<t:ExtendedFieldURI PropertyTag="0x10037" PropertyType="String"/>'),
    ("a PropertySetId that is no GUID",
     '<t:ExtendedFieldURI PropertySetId="not-a-guid" PropertyName="x" '
     'PropertyType="String"/>'),
    ("an unknown DistinguishedPropertySetId",
     '<t:ExtendedFieldURI DistinguishedPropertySetId="PublicString" '
     'PropertyName="x" PropertyType="String"/>'),
    ("a PropertyId that is no int",
     '<t:ExtendedFieldURI DistinguishedPropertySetId="Common" '
     'PropertyId="x85" PropertyType="Integer"/>'),
]


@pytest.mark.parametrize("what, path", BAD_SCHEMA,
                         ids=[w for w, _ in BAD_SCHEMA])
def test_a_path_outside_the_schema_is_a_fault(nginx, what, path):
    place = ("SetItemField" if "ExtendedFieldURI" in path
             else "GetItem AdditionalProperties")
    violation = schema_fault(nginx, request(nginx, place, path))
    assert violation is not None and violation.text


@pytest.mark.parametrize("place", sorted(PLACES))
def test_a_misspelt_field_uri_is_a_fault_in_every_place(nginx, place):
    path = '<t:FieldURI FieldURI="item:Subjectt"/>'
    if place in ("CreateItem ExtendedProperty",):
        path = '<t:ExtendedFieldURI PropertyTag="0x3004" PropertyType="Text"/>'
        body = request(nginx, place, "", '<t:ExtendedProperty>%s<t:Value>1'
                       '</t:Value></t:ExtendedProperty>' % path)
    else:
        body = request(nginx, place, path, "<t:Subject>x</t:Subject>")
    violation = schema_fault(nginx, body)
    assert "Subjectt" in violation.text or "Text" in violation.text


def test_the_violation_names_the_attribute_and_value(nginx):
    body = request(nginx, "GetItem AdditionalProperties",
                   '<t:FieldURI FieldURI="item:Subjectt"/>')
    violation = schema_fault(nginx, body)
    assert "'FieldURI'" in violation.text
    assert "'item:Subjectt'" in violation.text


BAD_COMBINATION = [
    ("both PropertyTag and PropertyName",
     '<t:ExtendedFieldURI PropertyTag="0x3004" PropertyName="x" '
     'PropertyType="String"/>'),
    ("a PropertyTag with a property set",
     '<t:ExtendedFieldURI DistinguishedPropertySetId="Common" '
     'PropertyTag="0x3004" PropertyType="String"/>'),
    ("a property set without a name or id",
     '<t:ExtendedFieldURI DistinguishedPropertySetId="Common" '
     'PropertyType="String"/>'),
    ("a name without a property set",
     '<t:ExtendedFieldURI PropertyName="x" PropertyType="String"/>'),
    ("both a name and an id",
     '<t:ExtendedFieldURI DistinguishedPropertySetId="Common" '
     'PropertyName="x" PropertyId="5" PropertyType="String"/>'),
    ("both set attributes",
     '<t:ExtendedFieldURI DistinguishedPropertySetId="Common" '
     'PropertySetId="00062008-0000-0000-C000-000000000046" '
     'PropertyName="x" PropertyType="String"/>'),
    ("a tag in the named range",
     '<t:ExtendedFieldURI PropertyTag="0x8001" PropertyType="String"/>'),
    ("no attributes but the type",
     '<t:ExtendedFieldURI PropertyType="String"/>'),
    ("a type that holds no value",
     '<t:ExtendedFieldURI PropertyTag="0x3004" PropertyType="Null"/>'),
]


def item_error(nginx, body):
    root = soap(nginx, body)
    got = messages(root)
    assert [(c, code) for c, code, _ in got][:1] == \
        [("Error", "ErrorInvalidExtendedProperty")], ET.tostring(root)


@pytest.mark.parametrize("what, path", BAD_COMBINATION,
                         ids=[w for w, _ in BAD_COMBINATION])
def test_an_invalid_combination_is_invalid_extended_property(nginx, what,
                                                             path):
    item_error(nginx, request(nginx, "GetItem AdditionalProperties", path))


@pytest.mark.parametrize("place", sorted(PLACES))
def test_an_invalid_combination_in_every_place(nginx, place):
    path = ('<t:ExtendedFieldURI PropertyTag="0x3004" PropertyName="x" '
            'PropertyType="String"/>')
    item_error(nginx, request(nginx, place, path))


@pytest.mark.parametrize("place", ["GetItem AdditionalProperties",
                                   "Restriction Exists", "SortOrder",
                                   "DeleteItemField"])
def test_an_unknown_field_index_is_invalid_property_request(nginx, place):
    path = ('<t:IndexedFieldURI FieldURI="contacts:EmailAddress" '
            'FieldIndex="EmailAddress9"/>')
    root = soap(nginx, request(nginx, place, path))
    assert [(c, code) for c, code, _ in messages(root)] == \
        [("Error", "ErrorInvalidPropertyRequest")]


def test_a_field_of_the_schema_we_do_not_map_has_no_value(nginx):
    # valid names of UnindexedFieldURIType with nothing behind them: no
    # error and no element, as before
    iid = create_message(nginx).get("Id")
    root = soap(nginx, get_item(iid) % {
        "p": '<t:FieldURI FieldURI="item:EntityExtractionResult"/>'
             '<t:FieldURI FieldURI="conversation:GlobalSize"/>'
             '<t:FieldURI FieldURI="item:Subject"/>'})
    (cls, code, rm), = messages(root)
    assert (cls, code) == ("Success", "NoError")
    assert rm.find(".//t:Subject", NS).text == "Paths"
    assert rm.find(".//t:EntityExtractionResult", NS) is None


/*
 * exch EWS: response shapes -- FolderShape, ItemShape, AttachmentShape:
 * the base shape, the additional properties, the body type.
 */


#include <string.h>

#include "exch_ews_items.h"


exch_ews_shape_t *
exch_ews_shape_new(exch_ews_t *ews, xmlNodePtr node, int folder,
    exch_ews_code_t *code)
{
    exch_ews_shape_t  *shape;

    shape = exs_alloc(ews->a, sizeof(exch_ews_shape_t));
    if (shape == NULL) {
        return NULL;
    }

    *code = exch_ews_shape_parse(ews, node, folder, shape);

    return shape;
}


exch_ews_code_t
exch_ews_shape_parse(exch_ews_t *ews, xmlNodePtr node, int folder,
    exch_ews_shape_t *shape)
{
    xmlNodePtr   c, add, p;
    const char  *v;

    memset(shape, 0, sizeof(exch_ews_shape_t));
    shape->folder = folder ? 1 : 0;
    shape->base = EXCH_SHAPE_DEFAULT;

    if (node == NULL) {
        return EXCH_EWS_NOERROR;
    }

    c = exch_ews_tchild(node, "BaseShape");

    if (c) {
        v = exch_ews_value(c);

        if (v == NULL) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }

        if (strcmp(v, "IdOnly") == 0) {
            shape->base = EXCH_SHAPE_IDONLY;

        } else if (strcmp(v, "Default") == 0) {
            shape->base = EXCH_SHAPE_DEFAULT;

        } else if (strcmp(v, "AllProperties") == 0) {
            shape->base = EXCH_SHAPE_ALL;

        } else {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }
    }

    c = exch_ews_tchild(node, "IncludeMimeContent");
    if (c && exch_ews_bool(exch_ews_value(c)) == 1) {
        shape->include_mime = 1;
    }

    c = exch_ews_tchild(node, "BodyType");
    if (c) {
        v = exch_ews_value(c);

        if (v && strcmp(v, "HTML") == 0) {
            shape->body_type = EXCH_BODY_HTML;

        } else if (v && strcmp(v, "Text") == 0) {
            shape->body_type = EXCH_BODY_TEXT;

        } else if (v == NULL || strcmp(v, "Best") != 0) {
            return EXCH_EWS_ERR_SCHEMA_VALIDATION;
        }
    }

    c = exch_ews_tchild(node, "UniqueBodyType");
    if (c) {
        v = exch_ews_value(c);
        shape->unique_body_type = v && strcmp(v, "Text") == 0
                                  ? EXCH_BODY_TEXT : EXCH_BODY_HTML;
    }

    c = exch_ews_tchild(node, "NormalizedBodyType");
    if (c) {
        v = exch_ews_value(c);
        shape->normalized_body_type = v && strcmp(v, "Text") == 0
                                      ? EXCH_BODY_TEXT : EXCH_BODY_HTML;
    }

    c = exch_ews_tchild(node, "FilterHtmlContent");
    if (c && exch_ews_bool(exch_ews_value(c)) == 1) {
        shape->filter_html = 1;
    }

    add = exch_ews_tchild(node, "AdditionalProperties");

    if (add) {
        for (p = add->children; p; p = p->next) {
            if (p->type != XML_ELEMENT_NODE) {
                continue;
            }

            if (shape->npaths == EXCH_EWS_MAX_PATHS) {
                return EXCH_EWS_ERR_INVALID_PROPERTY_REQUEST;
            }

            shape->paths[shape->npaths++] = p;

            /* item:MimeContent asked for as a property is the whole
             * message, as IncludeMimeContent */
            v = exch_ews_attr(p, "FieldURI");

            if (v && strcmp(v, "item:MimeContent") == 0
                && exch_xml_is(p, EXCH_EWS_NS_T, "FieldURI"))
            {
                shape->include_mime = 1;
            }
        }
    }

    return EXCH_EWS_NOERROR;
}


int
exch_ews_shape_resolve(exch_ews_t *ews, exch_ews_mbox_t *m,
    exch_ews_shape_t *shape)
{
    uint32_t         i;
    exch_ews_code_t  code;

    if (shape->resolved_for == m && shape->resolved) {
        return EXCH_EWS_NOERROR;
    }

    if (shape->resolved == NULL && shape->npaths) {
        shape->resolved = exs_calloc(ews->a,
                                     shape->npaths * sizeof(exch_ews_path_t));
        if (shape->resolved == NULL) {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }
    }

    if (shape->wanted == NULL) {
        shape->wanted = exs_calloc(ews->a, exch_ews_field_count() / 8 + 1);
        if (shape->wanted == NULL) {
            return EXCH_EWS_ERR_INTERNAL_SERVER_ERROR;
        }
    }

    for (i = 0; i < shape->npaths; i++) {
        code = exch_ews_path_parse(ews, m, shape->paths[i], 0,
                                   &shape->resolved[i]);
        if (code != EXCH_EWS_NOERROR) {
            shape->error = code;
            return code;
        }

        if (shape->resolved[i].field && shape->resolved_for == NULL) {
            exch_ews_field_mark(shape->resolved[i].field, shape->wanted);
        }
    }

    shape->resolved_for = m;

    return EXCH_EWS_NOERROR;
}


exch_ews_code_t
exch_ews_shape_error(const exch_ews_shape_t *shape)
{
    return shape->error != EXCH_EWS_NOERROR
           ? shape->error : EXCH_EWS_ERR_INVALID_PROPERTY_REQUEST;
}


int
exch_ews_shape_wants(exch_ews_shape_t *shape, const exch_ews_field_t *f,
    int version)
{
    int  i;

    if (f->since > version) {
        return 0;
    }

    switch (f->kind) {
    case EXCH_K_ITEMID:
    case EXCH_K_FOLDERID:
        return 1;

    case EXCH_K_MIME:
        if (shape->include_mime) {
            return 1;
        }
        break;

    default:
        break;
    }

    if (shape->wanted) {
        i = exch_ews_field_index(f);

        if (i >= 0 && (shape->wanted[i / 8] & (1 << (i % 8)))) {
            return 1;
        }
    }

    switch (shape->base) {
    case EXCH_SHAPE_DEFAULT:
        if (shape->find) {
            return (f->flags & EXCH_F_FIND) && f->kind != EXCH_K_NONE;
        }

        return (f->flags & EXCH_F_DEFAULT) && f->kind != EXCH_K_NONE;

    case EXCH_SHAPE_ALL:
        return !(f->flags & EXCH_F_NOALL) && f->kind != EXCH_K_NONE
               && f->kind != EXCH_K_EXTENDED;

    default:
        return 0;
    }
}

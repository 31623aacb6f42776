// The resource schemas we serve, transcribed from RFC 7643 §8.7.1 (characteristics) with the
// prose of §3.1, §4.1–4.3. Deviations from the §8.7.1 JSON are marked "WiggleDesk:" and are
// what the service actually enforces, so /Schemas stays truthful.
import { binary, bool, complex, dateTime, deepFreeze, multiValuedComplex, ref, str } from './attributes.js';
import type { AttributeDef, SchemaDef } from './types.js';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/**
 * RFC 7643 §3.1 common attributes. They belong to every resource but to no schema; the
 * registry keeps them apart and resolves them under the core URN.
 */
export const COMMON_ATTRIBUTES: readonly AttributeDef[] = deepFreeze([
  str(
    'id',
    'A unique identifier for a SCIM resource as defined by the service provider.  Issued by the service provider, never specified by the client.',
    // §3.1: caseExact true, readOnly, returned always; unique across the provider's resources.
    { required: true, caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server' },
  ),
  str('externalId', 'A String that is an identifier for the resource as defined by the provisioning client.', {
    caseExact: true,
  }),
  complex(
    'meta',
    'A complex attribute containing resource metadata.',
    [
      // WiggleDesk: resourceType is "always" so that attributes= responses still say what they are
      // (R-CORE-09: "id, and schemas and meta.resourceType in practice").
      str('resourceType', 'The name of the resource type of the resource.', {
        caseExact: true,
        mutability: 'readOnly',
        returned: 'always',
      }),
      dateTime('created', 'The "DateTime" that the resource was added to the service provider.', {
        mutability: 'readOnly',
      }),
      dateTime('lastModified', 'The most recent DateTime that the details of this resource were updated at the service provider.', {
        mutability: 'readOnly',
      }),
      ref('location', ['uri'], 'The URI of the resource being returned.', { mutability: 'readOnly' }),
      str('version', 'The version of the resource being returned.  Same as the ETag HTTP response header.', {
        caseExact: true,
        mutability: 'readOnly',
      }),
    ],
    { mutability: 'readOnly' },
  ),
]);

const nameAttr = complex(
  'name',
  "The components of the user's real name.  Providers MAY return just the full name as a single string in the formatted sub-attribute, or they MAY return just the individual component attributes using the other sub-attributes, or they MAY return both.",
  [
    str(
      'formatted',
      "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display (e.g., 'Ms. Barbara J Jensen, III').",
    ),
    str(
      'familyName',
      "The family name of the User, or last name in most Western languages (e.g., 'Jensen' given the full name 'Ms. Barbara J Jensen, III').",
    ),
    str(
      'givenName',
      "The given name of the User, or first name in most Western languages (e.g., 'Barbara' given the full name 'Ms. Barbara J Jensen, III').",
    ),
    str('middleName', "The middle name(s) of the User (e.g., 'Jane' given the full name 'Ms. Barbara J Jensen, III')."),
    str(
      'honorificPrefix',
      "The honorific prefix(es) of the User, or title in most Western languages (e.g., 'Ms.' given the full name 'Ms. Barbara J Jensen, III').",
    ),
    str(
      'honorificSuffix',
      "The honorific suffix(es) of the User, or suffix in most Western languages (e.g., 'III' given the full name 'Ms. Barbara J Jensen, III').",
    ),
  ],
);

const addressesAttr = complex(
  'addresses',
  "A physical mailing address for this User.  Canonical type values of 'work', 'home', and 'other'.",
  [
    str('formatted', 'The full mailing address, formatted for display or use with a mailing label.  This attribute MAY contain newlines.'),
    str(
      'streetAddress',
      'The full street address component, which may include house number, street name, P.O. box, and multi-line extended street address information.  This attribute MAY contain newlines.',
    ),
    str('locality', 'The city or locality component.'),
    str('region', 'The state or region component.'),
    str('postalCode', 'The zip code or postal code component.'),
    str('country', 'The country name component.'),
    str('type', "A label indicating the attribute's function, e.g., 'work' or 'home'.", {
      canonicalValues: ['work', 'home', 'other'],
    }),
    // §4.1.2 lists "primary" for addresses although the §8.7.1 JSON omits it.
    bool(
      'primary',
      "A Boolean value indicating the 'primary' or preferred attribute value for this attribute.  The primary attribute value 'true' MUST appear no more than once.",
    ),
  ],
  { multiValued: true },
);

// §4.1.2 groups: readOnly, derived from Group membership (R-CORE-21). WiggleDesk computes it at read
// time from membership rows; it is never stored in the User document.
const groupsAttr = complex(
  'groups',
  'A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated.',
  [
    str('value', "The identifier of the User's group.", { mutability: 'readOnly' }),
    ref('$ref', ['User', 'Group'], "The URI of the corresponding 'Group' resource to which the user belongs.", {
      mutability: 'readOnly',
    }),
    str('display', 'A human-readable name, primarily used for display purposes.  READ-ONLY.', { mutability: 'readOnly' }),
    str('type', "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.", {
      mutability: 'readOnly',
      canonicalValues: ['direct', 'indirect'],
    }),
  ],
  { multiValued: true, mutability: 'readOnly' },
);

export const USER_SCHEMA_DEF: SchemaDef = deepFreeze({
  id: USER_SCHEMA,
  name: 'User',
  description: 'User Account',
  attributes: [
    str(
      'userName',
      "Unique identifier for the User, typically used by the user to directly authenticate to the service provider.  Each User MUST include a non-empty userName value.  This identifier MUST be unique across the service provider's entire set of Users.  REQUIRED.",
      { required: true, uniqueness: 'server' },
    ),
    nameAttr,
    str(
      'displayName',
      'The name of the User, suitable for display to end-users.  The name SHOULD be the full name of the User being described, if known.',
    ),
    str(
      'nickName',
      "The casual way to address the user in real life, e.g., 'Bob' or 'Bobby' instead of 'Robert'.  This attribute SHOULD NOT be used to represent a User's username (e.g., 'bjensen' or 'mpepperidge').",
    ),
    ref('profileUrl', ['external'], "A fully qualified URL pointing to a page representing the User's online profile."),
    str('title', 'The user\'s title, such as "Vice President."'),
    str(
      'userType',
      "Used to identify the relationship between the organization and the user.  Typical values used might be 'Contractor', 'Employee', 'Intern', 'Temp', 'External', and 'Unknown', but any value may be used.",
    ),
    str(
      'preferredLanguage',
      "Indicates the User's preferred written or spoken language.  Generally used for selecting a localized user interface; e.g., 'en_US' specifies the language English and country US.",
    ),
    str(
      'locale',
      "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations.",
    ),
    str('timezone', "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'."),
    bool('active', "A Boolean value indicating the User's administrative status."),
    // §4.1.1 / §7: writeOnly, returned never. WiggleDesk never stores it (see resources/codec.ts).
    str(
      'password',
      "The User's cleartext password.  This attribute is intended to be used as a means to specify an initial password when creating a new User or to reset an existing User's password.",
      {
        mutability: 'writeOnly',
        returned: 'never',
      },
    ),
    multiValuedComplex(
      'emails',
      "Email addresses for the user.  The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'.  Canonical type values of 'work', 'home', and 'other'.",
      str(
        'value',
        "Email addresses for the user.  The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'.  Canonical type values of 'work', 'home', and 'other'.",
      ),
      "A label indicating the attribute's function, e.g., 'work' or 'home'.",
      ['work', 'home', 'other'],
    ),
    multiValuedComplex(
      'phoneNumbers',
      "Phone numbers for the User.  The value SHOULD be canonicalized by the service provider according to the format specified in RFC 3966, e.g., 'tel:+1-201-555-0123'.  Canonical type values of 'work', 'home', 'mobile', 'fax', 'pager', and 'other'.",
      str('value', 'Phone number of the User.'),
      "A label indicating the attribute's function, e.g., 'work', 'home', 'mobile'.",
      ['work', 'home', 'mobile', 'fax', 'pager', 'other'],
    ),
    multiValuedComplex(
      'ims',
      'Instant messaging addresses for the User.',
      str('value', 'Instant messaging address for the User.'),
      "A label indicating the attribute's function, e.g., 'aim', 'gtalk', 'xmpp'.",
      ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo'],
    ),
    multiValuedComplex(
      'photos',
      'URLs of photos of the User.',
      ref('value', ['external'], 'URL of a photo of the User.'),
      "A label indicating the attribute's function, i.e., 'photo' or 'thumbnail'.",
      ['photo', 'thumbnail'],
    ),
    addressesAttr,
    groupsAttr,
    multiValuedComplex(
      'entitlements',
      'A list of entitlements for the User that represent a thing the User has.',
      str('value', 'The value of an entitlement.'),
      "A label indicating the attribute's function.",
      undefined,
    ),
    multiValuedComplex(
      'roles',
      "A list of roles for the User that collectively represent who the User is, e.g., 'Student', 'Faculty'.",
      str('value', 'The value of a role.'),
      "A label indicating the attribute's function.",
      undefined,
    ),
    multiValuedComplex(
      'x509Certificates',
      'A list of certificates issued to the User.',
      binary('value', 'The value of an X.509 certificate.'),
      "A label indicating the attribute's function.",
      undefined,
    ),
  ],
});

export const ENTERPRISE_USER_SCHEMA_DEF: SchemaDef = deepFreeze({
  id: ENTERPRISE_USER_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    str(
      'employeeNumber',
      'Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization.',
    ),
    str('costCenter', 'Identifies the name of a cost center.'),
    str('organization', 'Identifies the name of an organization.'),
    str('division', 'Identifies the name of a division.'),
    str('department', 'Identifies the name of a department.'),
    complex(
      'manager',
      "The User's manager.  A complex type that optionally allows service providers to represent organizational hierarchy by referencing the 'id' attribute of another User.",
      [
        str('value', "The id of the SCIM resource representing the User's manager.  REQUIRED."),
        ref('$ref', ['User'], "The URI of the SCIM resource representing the User's manager.  REQUIRED."),
        str('displayName', "The displayName of the User's manager.  OPTIONAL and READ-ONLY.", { mutability: 'readOnly' }),
      ],
    ),
  ],
});

export const GROUP_SCHEMA_DEF: SchemaDef = deepFreeze({
  id: GROUP_SCHEMA,
  name: 'Group',
  description: 'Group',
  attributes: [
    // WiggleDesk: required (§4.2 prose says REQUIRED; §8.7.1 JSON says false; Okta and Entra need it).
    // Uniqueness server: Entra requires unique group names per tenant (R-ENTRA-30).
    str('displayName', 'A human-readable name for the Group.  REQUIRED.', { required: true, uniqueness: 'server' }),
    complex(
      'members',
      'A list of members of the Group.',
      [
        // WiggleDesk: value required — a member without an id means nothing (R-CORE-22).
        str('value', 'Identifier of the member of this Group.', { required: true, mutability: 'immutable' }),
        ref('$ref', ['User', 'Group'], 'The URI corresponding to a SCIM resource that is a member of this Group.', {
          mutability: 'immutable',
        }),
        // §4.2 names "display"; the §8.7.1 JSON omits it.
        str('display', 'A human-readable name for the member, primarily used for display purposes.', {
          mutability: 'immutable',
        }),
        str('type', "A label indicating the type of resource, e.g., 'User' or 'Group'.", {
          mutability: 'immutable',
          canonicalValues: ['User', 'Group'],
        }),
      ],
      { multiValued: true },
    ),
  ],
});

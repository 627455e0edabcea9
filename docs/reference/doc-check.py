#!/usr/bin/env python3
# Copyright (C) 2026 The vvas-xrt-memory authors
# SPDX-License-Identifier: MIT
"""The build's gate on undocumented public symbols of one library.

Fails (exit status 1, one line per finding) when:

1. `gi-docgen check` on the library's GIR reports a symbol, parameter or
   return value without documentation (functions, methods, types, enum
   members, constants, function macros, properties, signals);
2. a public field of a record or class in the GIR has no documentation
   (gi-docgen check does not look at fields), fields after a
   `/*< private >*/` marker excepted;
3. a macro defined in a public header, or a function it exports, has no
   gtk-doc comment block (`/**` then ` * NAME:`) in the headers or sources
   given: this catches what the GIR cannot hold (export macros, macros
   whose value the scanner cannot evaluate). Include guards, `*_TYPE_*`
   macros that only call a get_type() function and the G_TYPE_CHECK_*
   cast/check set of a GObject type and the get_type() functions of the
   GIR's types are exempt, as gtk-doc's "Standard" subsection is.
4. a documented public symbol has no `Since:` tag, a malformed one, or one
   newer than the project version (--project-version): every documented
   node of the GIR (functions, methods, constructors, types, enums,
   constants, callbacks, aliases, properties, signals; what gi-docgen shows
   as "Available since") and every documented macro or exported function of
   the public headers (read from its doc comment block). What item 3
   exempts, and what has no doc comment at all (items 1 and 3 report that),
   is not looked at.

On success it writes the stamp file, which the HTML generation waits for.
"""

import argparse
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

CORE = '{http://www.gtk.org/introspection/core/1.0}'


def gi_docgen_check(gi_docgen, config, gir):
    proc = subprocess.run([gi_docgen, 'check', '-C', config, gir],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, check=False)
    # Its warnings carry terminal colour codes; keep the text.
    text = re.sub(r'\x1b\[[0-9;]*m', '', proc.stdout)
    findings = [l.split(': ', 1)[1] for l in text.splitlines()
                if l.startswith('WARNING: ')]
    if proc.returncode != 0 and not findings:
        findings.append('gi-docgen check failed ({}):\n{}'.format(
            proc.returncode, text))
    return findings


def undocumented_fields(gir):
    findings = []
    root = ET.parse(gir).getroot()
    ns = root.find(CORE + 'namespace')
    for kind in ('record', 'class', 'union'):
        for node in ns.findall(CORE + kind):
            if node.get('introspectable') == '0' and node.find(
                    CORE + 'field') is None:
                continue
            for field in node.findall(CORE + 'field'):
                if field.get('private') == '1':
                    continue
                if field.find(CORE + 'doc') is None:
                    findings.append(
                        "Field '{}.{}.{}' is not documented".format(
                            ns.get('name'), node.get('name'),
                            field.get('name')))
    return findings


DOC_BLOCK = re.compile(r'/\*\*\s*\n\s*\*\s*([A-Za-z_][A-Za-z0-9_]*)\s*:')
DEFINE = re.compile(r'^[ \t]*#[ \t]*define\s+([A-Za-z_][A-Za-z0-9_]*)(\(?)(.*)$',
                    re.M)
EXPORTED_FUNC = re.compile(
    r'\b(?:GST_VVAS_API|VVAS_CORE_API)\b[^;{}()]*?\b([a-z_][a-z0-9_]*)\s*\(',
    re.S)


def exempt_macro(name, body):
    if re.match(r'^_*[A-Z0-9_]*_H_*$', name):
        return True  # include guard
    body = body.strip()
    if re.match(r'^\(\s*[a-z0-9_]+_get_type\s*\(\s*\)\s*\)$', body):
        return True  # GST_TYPE_FOO: the GType getter
    if 'G_TYPE_CHECK_' in body:
        return True  # the standard cast and type-check macros
    return False


def gtype_getters(gir):
    """The get_type() functions of the GIR's GObject types: gtk-doc's
    "Standard" symbols, documented by the type itself."""
    root = ET.parse(gir).getroot()
    return {node.get('{http://www.gtk.org/introspection/glib/1.0}get-type')
            for node in root.iter()
            if node.get('{http://www.gtk.org/introspection/glib/1.0}get-type')}


def undocumented_in_sources(headers, sources, exempt_functions):
    documented = set(exempt_functions)
    texts = {}
    for path in headers + sources:
        with open(path, encoding='utf-8') as f:
            texts[path] = f.read()
        documented.update(DOC_BLOCK.findall(texts[path]))
    findings = []
    for path in headers:
        text = texts[path]
        for m in DEFINE.finditer(text):
            name, body = m.group(1), m.group(3)
            if name in documented or exempt_macro(name, body):
                continue
            line = text.count('\n', 0, m.start(1)) + 1
            findings.append("Macro '{}' at {}:{} has no doc comment".format(
                name, path, line))
        # Function declarations only: strip comments first.
        code = re.sub(r'/\*.*?\*/', lambda c: '\n' * c.group(0).count('\n'),
                      text, flags=re.S)
        code = re.sub(r'^[ \t]*#.*$', '', code, flags=re.M)
        for m in EXPORTED_FUNC.finditer(code):
            name = m.group(1)
            if name not in documented:
                line = code.count('\n', 0, m.start(1)) + 1
                findings.append(
                    "Function '{}' at {}:{} has no doc comment".format(
                        name, path, line))
    return sorted(set(findings))


GLIB = '{http://www.gtk.org/introspection/glib/1.0}'
C_NS = '{http://www.gtk.org/introspection/c/1.0}'

# The nodes of a GIR that gi-docgen shows with their own "Available since".
# Function macros are left to the header check, which knows their bodies
# (and so GObject's exempt cast and check macros). The scanner writes no
# version for an alias, whatever its comment says, and no <doc> for a block
# that has no description (a class structure's, which only describes its
# fields): for those the doc comment block is read instead.
SINCE_TOP = ('function', 'record', 'class', 'interface', 'enumeration',
             'bitfield', 'constant', 'callback', 'union')
SINCE_MEMBERS = ('constructor', 'method', 'function', 'property')
VERSION = re.compile(r'^[0-9]+(\.[0-9]+){0,2}$')


def parse_version(text):
    """(major, minor, micro) of a MAJOR[.MINOR[.MICRO]] string, or None."""
    if not VERSION.match(text):
        return None
    parts = [int(p) for p in text.split('.')]
    return tuple(parts + [0] * (3 - len(parts)))


def since_problem(since, project):
    """Why a Since: value is wrong for a project at version `project`
    (a tuple), or None when it is right."""
    if since is None:
        return 'has no Since: tag'
    version = parse_version(since)
    if version is None:
        return "has a malformed Since: tag '{}'".format(since)
    if version > project:
        return 'has Since: {}, newer than the project version {}'.format(
            since, '.'.join(str(p) for p in project))
    return None


def gir_since(gir, project):
    """Findings on the documented nodes of the GIR, by C name, and the
    names whose doc comment blocks, if any, are to be read instead."""
    findings = {}
    to_read = []
    root = ET.parse(gir).getroot()
    ns = root.find(CORE + 'namespace')

    def where(node):
        # The doc comment block, where the tag belongs.
        doc = node.find(CORE + 'doc')
        if doc is None or doc.get('filename') is None:
            return ''
        return ' ({}:{})'.format(doc.get('filename'), doc.get('line'))

    def check(node, kind, name):
        if node.find(CORE + 'doc') is None:
            # No description: a block without one, or no block (which
            # gi-docgen check reports, or is exempt).
            to_read.append((kind, name))
            return
        problem = since_problem(node.get('version'), project)
        if problem:
            findings[name] = "{} '{}'{} {}".format(kind, name, where(node),
                                                   problem)

    for node in ns:
        kind = node.tag.replace(CORE, '')
        name = (node.get(C_NS + 'identifier') or node.get(C_NS + 'type') or
                node.get('name'))
        if kind == 'alias':
            to_read.append(('Alias', name))
        if kind not in SINCE_TOP:
            continue
        check(node, kind.capitalize(), name)
        for member in node:
            mkind = member.tag.replace(CORE, '')
            if mkind in SINCE_MEMBERS:
                if mkind == 'property':
                    mname = '{}:{}'.format(name, member.get('name'))
                else:
                    mname = member.get(C_NS + 'identifier')
                check(member, mkind.capitalize(), mname)
            elif member.tag == GLIB + 'signal':
                check(member, 'Signal',
                      '{}::{}'.format(name, member.get('name')))
    return findings, to_read


# A doc comment block of a symbol (not of a property, signal or section):
# its name, then what it says up to the end of the comment.
SYMBOL_BLOCK = re.compile(
    r'/\*\*[ \t]*\n[ \t]*\*[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*'
    r':(?![A-Za-z0-9_:-])(.*?)\*/', re.S)
SINCE_TAG = re.compile(r'^[ \t]*\*[ \t]*Since:[ \t]*(\S*)', re.M)


def header_since(headers, sources, exempt_functions, project, skip,
                 to_read):
    """Findings on the documented macros and exported functions of the
    public headers (what the GIR may not hold) and on the (kind, name)
    pairs `to_read`, by name; names in `skip` were already looked at in
    the GIR. A name without a doc comment block is not looked at."""
    blocks = {}
    texts = {}
    for path in headers + sources:
        with open(path, encoding='utf-8') as f:
            texts[path] = f.read()
        for m in SYMBOL_BLOCK.finditer(texts[path]):
            line = texts[path].count('\n', 0, m.start(1)) + 1
            blocks.setdefault(m.group(1), []).append(
                ('{}:{}'.format(path, line), SINCE_TAG.findall(m.group(2))))
    findings = {}

    def check(kind, name):
        if name in skip or name in exempt_functions or name not in blocks:
            return
        tags = [t for _, found in blocks[name] for t in found]
        # The latest tag counts when a symbol has blocks in several files.
        versions = sorted(tags, key=lambda t: parse_version(t) or (1 << 30,))
        problem = since_problem(versions[-1] if versions else None, project)
        if problem:
            findings[name] = "{} '{}' ({}) {}".format(
                kind, name, ', '.join(w for w, _ in blocks[name]), problem)

    for kind, name in to_read:
        check(kind, name)
    for path in headers:
        text = texts[path]
        for m in DEFINE.finditer(text):
            if not exempt_macro(m.group(1), m.group(3)):
                check('Macro', m.group(1))
        code = re.sub(r'/\*.*?\*/', lambda c: '\n' * c.group(0).count('\n'),
                      text, flags=re.S)
        code = re.sub(r'^[ \t]*#.*$', '', code, flags=re.M)
        for m in EXPORTED_FUNC.finditer(code):
            check('Function', m.group(1))
    return findings


def main():
    parser = argparse.ArgumentParser(description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--gi-docgen', required=True)
    parser.add_argument('--config', required=True)
    parser.add_argument('--stamp', required=True)
    parser.add_argument('--project-version', required=True,
                        help='no Since: tag may be newer than this')
    parser.add_argument('--headers', nargs='+', required=True)
    parser.add_argument('--sources', nargs='*', default=[])
    parser.add_argument('gir')
    args = parser.parse_args()

    # No stamp is left from an earlier pass while this one has not passed.
    if os.path.exists(args.stamp):
        os.remove(args.stamp)
    project = parse_version(args.project_version)
    if project is None:
        parser.error("--project-version '{}' is not MAJOR.MINOR.MICRO".format(
            args.project_version))
    getters = gtype_getters(args.gir)
    findings = gi_docgen_check(args.gi_docgen, args.config, args.gir)
    findings += undocumented_fields(args.gir)
    findings += undocumented_in_sources(args.headers, args.sources, getters)
    since, to_read = gir_since(args.gir, project)
    since.update(header_since(args.headers, args.sources, getters, project,
                              set(since), to_read))
    for f in findings:
        print('undocumented: ' + f, file=sys.stderr)
    for name in sorted(since):
        print('since: ' + since[name], file=sys.stderr)
    if findings:
        print('{}: {} undocumented public symbol(s), parameter(s) or '
              'field(s); document them (gtk-doc comment blocks) or build '
              'with -Ddoc=disabled'.format(args.gir, len(findings)),
              file=sys.stderr)
    if since:
        print('{}: {} public symbol(s) without a right Since: tag; give each '
              'doc comment block "Since: X.Y", the project version that '
              'brought the symbol, at most {}'.format(
                  args.gir, len(since), args.project_version),
              file=sys.stderr)
    if findings or since:
        return 1
    with open(args.stamp, 'w', encoding='utf-8') as f:
        f.write('all public symbols documented, with Since: tags\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())

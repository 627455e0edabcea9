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


def main():
    parser = argparse.ArgumentParser(description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--gi-docgen', required=True)
    parser.add_argument('--config', required=True)
    parser.add_argument('--stamp', required=True)
    parser.add_argument('--headers', nargs='+', required=True)
    parser.add_argument('--sources', nargs='*', default=[])
    parser.add_argument('gir')
    args = parser.parse_args()

    # No stamp is left from an earlier pass while this one has not passed.
    if os.path.exists(args.stamp):
        os.remove(args.stamp)
    findings = gi_docgen_check(args.gi_docgen, args.config, args.gir)
    findings += undocumented_fields(args.gir)
    findings += undocumented_in_sources(args.headers, args.sources,
                                        gtype_getters(args.gir))
    if findings:
        for f in findings:
            print('undocumented: ' + f, file=sys.stderr)
        print('{}: {} undocumented public symbol(s), parameter(s) or '
              'field(s); document them (gtk-doc comment blocks) or build '
              'with -Ddoc=disabled'.format(args.gir, len(findings)),
              file=sys.stderr)
        return 1
    with open(args.stamp, 'w', encoding='utf-8') as f:
        f.write('all public symbols documented\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
# Copyright (C) 2026 The vvas-xrt-memory authors
# SPDX-License-Identifier: MIT
"""Writes the reference page of a GStreamer plugin from gst-inspect-1.0.

Runs gst-inspect-1.0 on the plugin file as built (a registry of its own, no
system plugins), then on each element it lists, and writes one markdown page
(a gi-docgen content page): the plugin details as a table, then per element
its factory details, type hierarchy, pad templates with their caps, and
properties (and signals and actions if it has some), each as gst-inspect-1.0
prints it. The element list comes from the plugin itself, so a new element
gets its section without touching this script or the build.
"""

import argparse
import os
import re
import subprocess
import sys


def inspect(gst_inspect, env, what):
    proc = subprocess.run([gst_inspect, '--no-colors', what], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, check=False)
    if proc.returncode != 0:
        sys.exit('gst-inspect-1.0 {} failed ({}):\n{}{}'.format(
            what, proc.returncode, proc.stdout, proc.stderr))
    return proc.stdout


def sections(text):
    """Splits gst-inspect-1.0 output into (title, lines) at unindented lines.

    A titled section starts with an unindented line ending in ':' ("Pad
    Templates:"); any other unindented line (the type hierarchy, "Element
    has no clocking capabilities.") starts an untitled one.
    """
    result = []
    for line in text.splitlines():
        line = line.rstrip()
        if line and not line[0].isspace():
            if line.endswith(':'):
                result.append((line[:-1], []))
            else:
                result.append(('', [line]))
        elif result:
            result[-1][1].append(line)
    return [(title, trim(lines)) for title, lines in result]


def trim(lines):
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    while lines and not lines[0].strip():
        lines = lines[1:]
    return lines


def details(lines):
    """'  Name    value' lines as (key, value) pairs."""
    pairs = []
    for line in lines:
        m = re.match(r'\s+(\S.*?)\s{2,}(\S.*)$', line)
        if m:
            pairs.append((m.group(1), m.group(2)))
    return pairs


def md_escape(text):
    return text.replace('|', '\\|')


def table(pairs, out):
    out.append('| | |')
    out.append('|---|---|')
    for key, value in pairs:
        out.append('| {} | {} |'.format(md_escape(key), md_escape(value)))
    out.append('')


def block(lines, out):
    # Dedent by the common indentation, as a fenced block.
    indent = min((len(l) - len(l.lstrip()) for l in lines if l.strip()),
                 default=0)
    out.append('```')
    out.extend(l[indent:] for l in lines)
    out.append('```')
    out.append('')


def element_section(name, text, out):
    out.append('## {}'.format(name))
    out.append('')
    notes = []
    for title, lines in sections(text):
        if title == 'Factory Details':
            out.append('### Factory details')
            out.append('')
            table(details(lines), out)
        elif title == 'Plugin Details':
            continue  # the same for every element: at the top of the page
        elif title == '' and lines and lines[0].startswith('GObject'):
            out.append('### Hierarchy')
            out.append('')
            block(lines, out)
        elif title == '':
            notes.extend(l.strip() for l in lines if l.strip())
        else:
            out.append('### {}'.format(title[0] + title[1:].lower()))
            out.append('')
            block(lines, out)
    if notes:
        out.append('### Other')
        out.append('')
        out.extend('- {}'.format(n) for n in notes)
        out.append('')


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--gst-inspect', required=True)
    parser.add_argument('--plugin', required=True,
                        help='the plugin file, as built')
    parser.add_argument('--registry', required=True,
                        help='registry file to use (made if missing)')
    parser.add_argument('--output', required=True)
    args = parser.parse_args()

    plugin = os.path.abspath(args.plugin)
    env = dict(os.environ)
    # Only this plugin: no system plugins, no user ones, a registry of its own.
    env['GST_PLUGIN_PATH_1_0'] = os.path.dirname(plugin)
    env['GST_PLUGIN_SYSTEM_PATH_1_0'] = ''
    env['GST_REGISTRY_1_0'] = os.path.abspath(args.registry)
    env.pop('GST_PLUGIN_PATH', None)
    env.pop('GST_PLUGIN_SYSTEM_PATH', None)
    env.pop('GST_REGISTRY', None)
    env['GST_REGISTRY_UPDATE'] = 'yes'

    plugin_text = inspect(args.gst_inspect, env, plugin)
    plugin_details = []
    elements = []
    for title, lines in sections(plugin_text):
        if title == 'Plugin Details':
            for key, value in details(lines):
                if key == 'Filename':
                    value = os.path.basename(value)
                plugin_details.append((key, value))
            # The feature list follows the details, after a blank line.
            for line in lines:
                m = re.match(r'\s+([a-z0-9_-]+): (\S.*)$', line)
                if m:
                    elements.append((m.group(1), m.group(2)))
    name = dict(plugin_details).get('Name')
    if not name or not elements:
        sys.exit('gst-inspect-1.0 {}: no plugin name or no element in:\n{}'
                 .format(plugin, plugin_text))

    out = [
        'Title: The {} plugin'.format(name),
        '',
        '# The {} plugin'.format(name),
        '',
        'Generated at build time by running `gst-inspect-1.0` on the plugin '
        'as built; run `gst-inspect-1.0 ELEMENT` on an installed copy for '
        'the same information.',
        '',
        '## Plugin details',
        '',
    ]
    table(plugin_details, out)
    out.append('## Elements')
    out.append('')
    for element, long_name in elements:
        out.append('- [{}](#{}): {}'.format(element, element, long_name))
    out.append('')
    for element, _ in sorted(elements):
        element_section(element, inspect(args.gst_inspect, env, element), out)

    with open(args.output, 'w', encoding='utf-8') as f:
        f.write('\n'.join(out) + '\n')


if __name__ == '__main__':
    main()

/*
 * Copyright (C) 2026 The vvas-xrt-memory authors
 * SPDX-License-Identifier: MIT
 */

/*
 * This project's library and plugin in a process that has AMD VVAS's
 * GStreamer libraries (the stand-in of amd_vvas_standin.c) first: one
 * clear error that names the conflict, no crash, no critical, and none of
 * the other library's functions run by this project's code. One scenario
 * per process (type registration is for the process's life), named by the
 * only argument. The program does not link libgstvvas-1.0: it loads it
 * with dlopen(), after the stand-in, as an application or a plugin would.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/vvas/gstvvas.h>

#define CHECK(cond, ...)                                                \
  G_STMT_START {                                                        \
    if (!(cond)) {                                                      \
      g_printerr ("%s:%d: check failed: %s: ", __FILE__, __LINE__,      \
          #cond);                                                       \
      g_printerr (__VA_ARGS__);                                         \
      g_printerr ("\n");                                                \
      exit (1);                                                         \
    }                                                                   \
  } G_STMT_END

static GPtrArray *warnings;     /* "domain: message" of every warning */

static void
log_handler (const gchar * domain, GLogLevelFlags level, const gchar * message,
    gpointer data)
{
  g_printerr ("[%s] %s\n", domain ? domain : "", message);
  if (level & G_LOG_LEVEL_WARNING)
    g_ptr_array_add (warnings, g_strdup_printf ("%s: %s", domain ? domain :
            "", message));
  /* A critical aborts the program (the suite sets fatal-criticals). */
}

static const gchar *
env_path (const gchar * name)
{
  const gchar *value = g_getenv (name);

  CHECK (value && *value, "%s is not set (tests/coexist/meson.build sets it)",
      name);
  return value;
}

/* --- The stand-in ---------------------------------------------------------- */

static void *standin;

static void
load_standin (int scope)
{
  standin = dlopen (env_path ("VVAS_TEST_STANDIN"), RTLD_NOW | scope);
  CHECK (standin != NULL, "cannot load the stand-in: %s", dlerror ());
}

static gpointer
standin_symbol (const gchar * name)
{
  gpointer address = dlsym (standin, name);

  CHECK (address != NULL, "the stand-in has no %s", name);
  return address;
}

/* How many of the stand-in's functions ran, whoever called them. */
static gint
standin_calls (void)
{
  return g_atomic_int_get ((gint *) standin_symbol ("amd_vvas_standin_calls"));
}

static const gchar *
standin_last_call (void)
{
  return *(const gchar **) standin_symbol ("amd_vvas_standin_last_call");
}

/* AMD's allocator and pool types, registered as AMD's elements would. */
static void
register_amd_types (void)
{
  GType (*allocator_type) (void) =
      standin_symbol ("gst_vvas_allocator_get_type");
  GType (*pool_type) (void) = standin_symbol ("gst_vvas_buffer_pool_get_type");

  CHECK (allocator_type () != 0, "the stand-in could not register "
      "GstVvasAllocator");
  CHECK (pool_type () != 0, "the stand-in could not register "
      "GstVvasBufferPool");
}

/* AMD's allocator still works: one made, one memory allocated. */
static void
use_amd_allocator (void)
{
  GstAllocator *(*amd_allocator_new) (guint, gboolean, guint) =
      standin_symbol ("gst_vvas_allocator_new");
  GstAllocator *allocator = amd_allocator_new (0, FALSE, 1);
  GstMemory *mem;

  CHECK (allocator != NULL, "the stand-in made no allocator");
  CHECK (g_str_equal (G_OBJECT_TYPE_NAME (allocator), "GstVvasAllocator"),
      "the stand-in's allocator is a %s", G_OBJECT_TYPE_NAME (allocator));
  mem = gst_allocator_alloc (allocator, 64, NULL);
  CHECK (mem != NULL, "the stand-in's allocator allocates nothing");
  gst_memory_unref (mem);
  gst_object_unref (allocator);
}

/* --- This project's library ------------------------------------------------ */

static void *ours;

static void
load_ours (void)
{
  ours = dlopen (env_path ("VVAS_TEST_GSTVVAS_LIB"), RTLD_NOW | RTLD_LOCAL);
  CHECK (ours != NULL, "cannot load libgstvvas-1.0: %s", dlerror ());
}

static gpointer
our_symbol (const gchar * name)
{
  gpointer address = dlsym (ours, name);

  CHECK (address != NULL, "libgstvvas-1.0 has no %s", name);
  return address;
}

/* A function of this project's library, by name, with its own type. */
#define OURS(fn) ((__typeof__ (&fn)) our_symbol (#fn))

/* @error is the refusal: GST_LIBRARY_ERROR_INIT, saying what to read, and
 * naming @what and @file. */
static void
check_refusal (GError * error, const gchar * what, const gchar * file)
{
  CHECK (error != NULL, "no error");
  CHECK (g_error_matches (error, GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_INIT),
      "wrong error: %s", error->message);
  CHECK (strstr (error->message, "docs/amd-vvas.md") != NULL, "%s",
      error->message);
  CHECK (strstr (error->message, "separate processes") != NULL, "%s",
      error->message);
  CHECK (strstr (error->message, what) != NULL, "no '%s' in: %s", what,
      error->message);
  CHECK (strstr (error->message, file) != NULL, "no '%s' in: %s", file,
      error->message);
}

/* Exactly one warning so far, the conflict's, naming @what and @file. */
static void
check_one_warning (const gchar * what, const gchar * file)
{
  const gchar *warning;

  CHECK (warnings->len == 1, "%u warnings, not one", warnings->len);
  warning = g_ptr_array_index (warnings, 0);
  CHECK (strstr (warning, what) != NULL, "no '%s' in: %s", what, warning);
  CHECK (strstr (warning, file) != NULL, "no '%s' in: %s", file, warning);
  CHECK (strstr (warning, "docs/amd-vvas.md") != NULL, "%s", warning);
}

/* Every entry point of the library refuses, without a critical. */
static void
check_library_refuses (const gchar * what, const gchar * file)
{
  GError *error = NULL;
  GstBuffer *buffer;

  CHECK (OURS (gst_vvas_context_new) (-1, NULL, &error) == NULL,
      "a host-only context was made");
  check_refusal (error, what, file);
  g_clear_error (&error);
  CHECK (OURS (gst_vvas_allocator_new_for_device) (0, NULL, 0, &error) ==
      NULL, "an allocator was made");
  check_refusal (error, what, file);
  g_clear_error (&error);

  CHECK (OURS (gst_vvas_allocator_get_type) () == 0, "GstVvasAllocator is "
      "registered as this project's");
  CHECK (OURS (gst_vvas_buffer_pool_get_type) () == 0, "GstVvasBufferPool "
      "is registered as this project's");
  CHECK (OURS (gst_vvas_context_get_type) () == 0, "GstVvasContext is "
      "registered");
  CHECK (OURS (gst_vvas_meta_api_get_type) () == 0, "GstVvasMetaAPI is "
      "registered");
  CHECK (OURS (gst_vvas_meta_get_info) () == NULL, "GstVvasMeta is "
      "registered");
  CHECK (OURS (gst_vvas_buffer_pool_new) (NULL) == NULL, "a pool was made");

  buffer = gst_buffer_new ();
  CHECK (OURS (gst_buffer_add_vvas_meta) (buffer, NULL) == NULL,
      "a meta was added");
  CHECK (OURS (gst_buffer_get_vvas_meta) (buffer) == NULL, "a meta found");
  gst_buffer_unref (buffer);
}

static void
check_plugin_refused (void)
{
  GError *error = NULL;
  GstPlugin *plugin =
      gst_plugin_load_file (env_path ("VVAS_TEST_PLUGIN"), &error);

  CHECK (plugin == NULL, "the plugin loaded");
  CHECK (error != NULL, "a failed plugin load without an error");
  g_printerr ("plugin load: %s\n", error->message);
  g_error_free (error);
}

static void
check_plugin_loads (void)
{
  GError *error = NULL;
  GstPlugin *plugin =
      gst_plugin_load_file (env_path ("VVAS_TEST_PLUGIN"), &error);

  CHECK (plugin != NULL, "the plugin did not load: %s",
      error ? error->message : "no error");
  gst_object_unref (plugin);
}

/* --- Scenarios ------------------------------------------------------------- */

/* No stand-in: the same calls work (the checks above can fail). */
static void
scenario_control (void)
{
  GError *error = NULL;
  GstVvasContext *context;
  GstAllocator *allocator;
  GstBufferPool *pool;
  GstBuffer *buffer;

  gst_init (NULL, NULL);
  load_ours ();
  context = OURS (gst_vvas_context_new) (-1, NULL, &error);
  CHECK (context != NULL, "no host-only context: %s",
      error ? error->message : "no error");
  allocator = OURS (gst_vvas_allocator_new) (context, 0,
      VVAS_ALLOC_TYPE_NON_CMA);
  CHECK (allocator != NULL, "no allocator");
  CHECK (g_type_is_a (G_OBJECT_TYPE (allocator),
          OURS (gst_vvas_allocator_get_type) ()), "not this project's type");
  pool = OURS (gst_vvas_buffer_pool_new) (allocator);
  CHECK (pool != NULL, "no pool");
  buffer = gst_buffer_new ();
  CHECK (OURS (gst_buffer_add_vvas_meta) (buffer, NULL) != NULL, "no meta");
  gst_buffer_unref (buffer);
  check_plugin_loads ();
  CHECK (warnings->len == 0, "%u warnings", warnings->len);

  gst_object_unref (pool);
  gst_object_unref (allocator);
  gst_object_unref (context);
}

/* AMD's library loaded (another plugin's dependency) and its types
 * registered (its elements ran) before this project's library is used. */
static void
scenario_amd_types_first (void)
{
  const gchar *standin_path = env_path ("VVAS_TEST_STANDIN");

  load_standin (RTLD_LOCAL);
  gst_init (NULL, NULL);
  register_amd_types ();
  load_ours ();

  check_library_refuses ("gst_vvas_allocator_new", standin_path);
  check_one_warning ("gst_vvas_allocator_get_type", standin_path);
  /* The plugin refuses too (the type names are taken), no second warning. */
  check_plugin_refused ();
  CHECK (warnings->len == 1, "%u warnings", warnings->len);
  /* Our library ran none of the stand-in's functions. */
  CHECK (standin_calls () == 2, "%d calls of the stand-in, last %s",
      standin_calls (), standin_last_call ());
  /* And AMD's side works on. */
  use_amd_allocator ();
}

/* AMD's library loaded, its types not registered yet: this project's
 * library leaves the names to it; the plugin still loads (a registry scan
 * of both installations keeps both), and refuses later, at first use. */
static void
scenario_amd_loaded_first (void)
{
  const gchar *standin_path = env_path ("VVAS_TEST_STANDIN");

  load_standin (RTLD_LOCAL);
  gst_init (NULL, NULL);
  load_ours ();
  check_plugin_loads ();
  CHECK (warnings->len == 0, "%u warnings", warnings->len);

  check_library_refuses ("defines gst_vvas_allocator_get_type", standin_path);
  check_one_warning ("defines gst_vvas_allocator_get_type", standin_path);
  CHECK (standin_calls () == 0, "%d calls of the stand-in, last %s",
      standin_calls (), standin_last_call ());
  /* AMD registers its types after: the names are free (GLib would warn
   * "cannot register existing type" otherwise). */
  register_amd_types ();
  use_amd_allocator ();
  CHECK (warnings->len == 1, "%u warnings", warnings->len);
}

/* AMD's library in the global scope (linked by the application, or
 * LD_PRELOAD): the core functions this library calls resolve to it. */
static void
scenario_amd_global_first (void)
{
  const gchar *standin_path = env_path ("VVAS_TEST_STANDIN");

  load_standin (RTLD_GLOBAL);
  gst_init (NULL, NULL);
  load_ours ();

  check_library_refuses ("vvas_context_create, vvas_context_destroy", standin_path);
  check_one_warning ("vvas_context_create, vvas_context_destroy", standin_path);
  CHECK (standin_calls () == 0, "%d calls of the stand-in, last %s",
      standin_calls (), standin_last_call ());
}

/* The same for the plugin: its calls would reach AMD's functions. */
static void
scenario_plugin_global_first (void)
{
  const gchar *standin_path = env_path ("VVAS_TEST_STANDIN");

  load_standin (RTLD_GLOBAL);
  gst_init (NULL, NULL);
  check_plugin_refused ();
  check_one_warning ("gst_vvas_allocator_get_type, gst_vvas_allocator_new",
      standin_path);
  check_one_warning ("The vvas plugin", "libgstvvas-1.0");
  CHECK (standin_calls () == 0, "%d calls of the stand-in, last %s",
      standin_calls (), standin_last_call ());
}

/* A pipeline of this project's elements in a process with AMD's library:
 * an element error that says why, and a clean stop. */
static void
scenario_pipeline_amd_loaded (void)
{
  const gchar *standin_path = env_path ("VVAS_TEST_STANDIN");
  GError *error = NULL;
  gchar *debug = NULL;
  GstElement *pipeline;
  GstMessage *message;
  GstBus *bus;

  load_standin (RTLD_LOCAL);
  gst_init (NULL, NULL);
  pipeline = gst_parse_launch ("videotestsrc num-buffers=2 ! "
      "video/x-raw,format=NV12,width=64,height=48 ! vvasupload ! "
      "vvasdownload ! fakesink", &error);
  CHECK (pipeline != NULL && error == NULL, "no pipeline: %s",
      error ? error->message : "no error");

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  bus = gst_element_get_bus (pipeline);
  message = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
      GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
  CHECK (message != NULL, "neither error nor EOS");
  CHECK (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR, "the pipeline ran");
  gst_message_parse_error (message, &error, &debug);
  g_printerr ("error from %s: %s (%s)\n", GST_MESSAGE_SRC_NAME (message),
      error->message, debug);
  CHECK (g_str_has_prefix (GST_MESSAGE_SRC_NAME (message), "vvas"),
      "the error came from %s", GST_MESSAGE_SRC_NAME (message));
  CHECK (debug && strstr (debug, standin_path), "no '%s' in %s",
      standin_path, debug);
  CHECK (strstr (debug, "docs/amd-vvas.md") != NULL, "%s", debug);
  g_clear_error (&error);
  g_free (debug);
  gst_message_unref (message);
  gst_object_unref (bus);
  CHECK (gst_element_set_state (pipeline, GST_STATE_NULL) ==
      GST_STATE_CHANGE_SUCCESS, "the pipeline does not stop");
  gst_object_unref (pipeline);

  check_one_warning ("defines gst_vvas_allocator_get_type", standin_path);
  CHECK (standin_calls () == 0, "%d calls of the stand-in, last %s",
      standin_calls (), standin_last_call ());
  register_amd_types ();
  CHECK (warnings->len == 1, "%u warnings", warnings->len);
}

/*
 * Runs @tool with @args (space-separated) under a 60 s timeout with a
 * registry of its own in @dir, the stand-in preloaded if @preload. Returns
 * its exit code; fails if it crashed or hung. Its output is in @output.
 */
static gint
run_tool (const gchar * tool, const gchar * args, gboolean preload,
    const gchar * dir, const gchar * registry_name, gchar ** output)
{
  gchar **env = g_get_environ ();
  gchar *cmd = g_strdup_printf ("timeout -s KILL 60 %s %s", tool, args);
  gchar *registry = g_build_filename (dir, registry_name, NULL);
  gchar **argv = NULL, *out = NULL, *err = NULL;
  GError *error = NULL;
  gint status = 0;

  env = g_environ_unsetenv (env, "GST_DEBUG");
  env = g_environ_setenv (env, "GST_REGISTRY", registry, TRUE);
  if (preload) {
    const gchar *before = g_environ_getenv (env, "LD_PRELOAD");
    gchar *value = g_strjoin (" ", env_path ("VVAS_TEST_STANDIN"), before,
        NULL);

    env = g_environ_setenv (env, "LD_PRELOAD", value, TRUE);
    g_free (value);
  }
  CHECK (g_shell_parse_argv (cmd, NULL, &argv, &error), "%s", cmd);
  CHECK (g_spawn_sync (NULL, argv, env, G_SPAWN_SEARCH_PATH, NULL, NULL,
          &out, &err, &status, &error), "cannot run %s: %s", tool,
      error ? error->message : "?");
  CHECK (WIFEXITED (status), "%s %s was killed by signal %d", tool, args,
      WTERMSIG (status));
  CHECK (WEXITSTATUS (status) != 124 && WEXITSTATUS (status) != 137,
      "%s %s hung", tool, args);
  *output = g_strconcat (out, err, NULL);
  g_printerr ("$ %s%s\n%s(exit %d)\n", preload ? "LD_PRELOAD=stand-in " : "",
      cmd, *output, WEXITSTATUS (status));
  g_unlink (registry);
  g_free (registry);
  g_free (out);
  g_free (err);
  g_strfreev (argv);
  g_strfreev (env);
  g_free (cmd);
  return WEXITSTATUS (status);
}

static guint
count_of (const gchar * text, const gchar * what)
{
  guint n = 0;

  for (text = strstr (text, what); text; text = strstr (text + 1, what))
    n++;
  return n;
}

/* gst-inspect-1.0 and gst-launch-1.0 with the stand-in preloaded. */
static void
scenario_tools (void)
{
  const gchar *inspect = env_path ("VVAS_TEST_GST_INSPECT");
  const gchar *launch = env_path ("VVAS_TEST_GST_LAUNCH");
  const gchar *standin_path = env_path ("VVAS_TEST_STANDIN");
  gchar *dir = g_dir_make_tmp ("vvas-coexist-XXXXXX", NULL);
  gchar *out;

  CHECK (dir != NULL, "no temporary folder");
  /* The control: the plugin is there. */
  CHECK (run_tool (inspect, "vvas", FALSE, dir, "control.bin", &out) == 0,
      "%s", out);
  CHECK (strstr (out, "vvasupload") != NULL, "%s", out);
  g_free (out);

  /* Refused, once, saying why. */
  CHECK (run_tool (inspect, "vvas", TRUE, dir, "inspect.bin", &out) != 0,
      "%s", out);
  CHECK (count_of (out, "The vvas plugin") == 1, "%s", out);
  CHECK (strstr (out, standin_path) != NULL, "%s", out);
  CHECK (strstr (out, "docs/amd-vvas.md") != NULL, "%s", out);
  CHECK (strstr (out, "vvasupload") == NULL, "%s", out);
  g_free (out);

  /* By file: the registry scan and the load itself each say it. */
  CHECK (run_tool (inspect, env_path ("VVAS_TEST_PLUGIN"), TRUE, dir,
          "file.bin", &out) != 0, "%s", out);
  CHECK (strstr (out, "The vvas plugin") != NULL, "%s", out);
  CHECK (strstr (out, "gst_vvas_allocator_get_type, gst_vvas_allocator_new") != NULL,
      "%s", out);
  g_free (out);

  CHECK (run_tool (launch, "videotestsrc num-buffers=1 ! vvasupload ! "
          "fakesink", TRUE, dir, "launch.bin", &out) != 0, "%s", out);
  CHECK (count_of (out, "The vvas plugin") == 1, "%s", out);
  CHECK (strstr (out, "vvasupload") != NULL, "%s", out);
  g_free (out);

  CHECK (g_rmdir (dir) == 0, "%s is not empty", dir);
  g_free (dir);
}

/* The library in the environment variable @lib_var calls its own functions
 * bound to themselves (-Bsymbolic-functions): no dynamic relocation names a
 * function it defines, so no earlier library with the same names can take
 * them. @known is one function it defines, to prove the symbol table was
 * read. */
static void
check_own_calls_bound (const gchar * lib_var, const gchar * known)
{
  const gchar *lib = env_path (lib_var);
  const gchar *readelf = env_path ("VVAS_TEST_READELF");
  gchar *argv[] = { (gchar *) readelf, (gchar *) "-W", (gchar *) "--dyn-syms",
    (gchar *) "--relocs", (gchar *) lib, NULL
  };
  gchar *out = NULL, **lines, **line;
  GHashTable *defined = g_hash_table_new_full (g_str_hash, g_str_equal,
      g_free, NULL);
  GError *error = NULL;
  guint n_relocs = 0;
  gint status;

  CHECK (g_spawn_sync (NULL, argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
          NULL, &out, NULL, &status, &error), "cannot run %s: %s", readelf,
      error ? error->message : "?");
  CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0, "%s failed",
      readelf);
  lines = g_strsplit (out, "\n", -1);
  /* Symbol table rows: "Num: Value Size FUNC GLOBAL DEFAULT Ndx Name". */
  for (line = lines; *line; line++) {
    gchar **f = g_strsplit_set (g_strstrip (*line), " ", -1);
    GPtrArray *words = g_ptr_array_new ();
    gchar **w;

    for (w = f; *w; w++)
      if (**w)
        g_ptr_array_add (words, *w);
    if (words->len == 8 && g_str_equal (g_ptr_array_index (words, 3), "FUNC")
        && !g_str_equal (g_ptr_array_index (words, 6), "UND"))
      g_hash_table_add (defined, g_strdup (g_ptr_array_index (words, 7)));
    g_ptr_array_unref (words);
    g_strfreev (f);
  }
  CHECK (g_hash_table_contains (defined, known),
      "readelf shows no %s in %s:\n%s", known, lib, out);
  /* Relocation rows name their symbol after the type: "... R_X86_64_...
   * value name + addend". */
  for (line = lines; *line; line++) {
    gchar **f;
    gchar **w;

    if (!strstr (*line, "R_"))
      continue;
    n_relocs++;
    f = g_strsplit_set (*line, " @", -1);
    for (w = f; *w; w++)
      CHECK (!**w || !g_hash_table_contains (defined, *w),
          "a relocation of %s names %s, a function of the library itself: %s",
          lib, *w, *line);
    g_strfreev (f);
  }
  CHECK (n_relocs > 0, "readelf showed no relocations of %s:\n%s", lib,
      out);
  g_strfreev (lines);
  g_hash_table_unref (defined);
  g_free (out);
}

/* libgstvvas-1.0: AMD VVAS's GStreamer libraries define the same gst_vvas_*
 * names. */
static void
scenario_own_calls_bound (void)
{
  check_own_calls_bound ("VVAS_TEST_GSTVVAS_LIB", "gst_vvas_allocator_new");
}

/* libvvascore: AMD VVAS's vvas-core defines the same vvas_* names; the
 * library calls vvas_memory_map() and vvas_log() itself. */
static void
scenario_core_own_calls_bound (void)
{
  check_own_calls_bound ("VVAS_TEST_VVASCORE_LIB", "vvas_memory_map");
}

int
main (int argc, char **argv)
{
  static const struct
  {
    const gchar *name;
    void (*run) (void);
  } scenarios[] = {
    {"control", scenario_control},
    {"amd-types-first", scenario_amd_types_first},
    {"amd-loaded-first", scenario_amd_loaded_first},
    {"amd-global-first", scenario_amd_global_first},
    {"plugin-global-first", scenario_plugin_global_first},
    {"pipeline-amd-loaded", scenario_pipeline_amd_loaded},
    {"tools", scenario_tools},
    {"own-calls-bound", scenario_own_calls_bound},
    {"core-own-calls-bound", scenario_core_own_calls_bound},
  };
  guint i;

  CHECK (argc == 2, "usage: %s SCENARIO", argv[0]);
  warnings = g_ptr_array_new_with_free_func (g_free);
  g_log_set_default_handler (log_handler, NULL);
  for (i = 0; i < G_N_ELEMENTS (scenarios); i++) {
    if (g_str_equal (argv[1], scenarios[i].name)) {
      scenarios[i].run ();
      g_ptr_array_unref (warnings);
      g_print ("%s: ok\n", argv[1]);
      return 0;
    }
  }
  CHECK (FALSE, "no scenario %s", argv[1]);
  return 1;
}

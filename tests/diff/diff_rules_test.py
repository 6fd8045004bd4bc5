"""`imagewriter diff` on images the rules built: each of tests/diff's
images differs from image_base in one attribute, and the report names it
in one line (issue 16)."""
import os
import unittest

from tests import iwtest


def image(name):
    return os.path.abspath(os.path.join("tests", "diff", name))


class DiffRulesTest(unittest.TestCase):
    def one_line(self, other):
        result = iwtest.run(["diff", image("image_base"), image(other)])
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        lines = result.stdout.splitlines()
        self.assertEqual(len(lines), 1, lines)
        return lines[0]

    def test_identical_to_itself(self):
        result = iwtest.run(["diff", image("image_base"), image("image_base")])
        self.assertEqual((result.returncode, result.stdout), (0, "identical\n"), result.stderr)

    def test_file_mode(self):
        self.assertEqual(self.one_line("image_mode"), "layer layers[0] app/hello.sh: mode 0755 -> 0644")

    def test_mtime(self):
        """Every entry's mtime moved: one cause, one line."""
        self.assertEqual(self.one_line("image_mtime"),
                         "layer layers[0] app, app/config.txt, app/hello.sh: mtime 1700000000 "
                         "(2023-11-14T22:13:20Z) -> 1700000001 (2023-11-14T22:13:21Z) (3 entries)")

    def test_env(self):
        self.assertEqual(self.one_line("image_env"), 'config .config.Env[1]: "A=1" -> "A=2"')

    def test_gzip_level(self):
        line = self.one_line("image_level")
        self.assertTrue(line.startswith("compression layers[0]: gzip stream "), line)
        self.assertIn("the same tar and header", line)
        self.assertIn("another encoder or compression level", line)

    def test_docker_archive_against_oci_layout(self):
        result = iwtest.run(["diff", image("image_base"), image("docker_load.tar")])
        self.assertEqual(result.returncode, 1, result.stderr)
        lines = result.stdout.splitlines()
        self.assertEqual(lines[0], "same image, different media types:")
        self.assertEqual([l.split(":")[0] for l in lines[1:]],
                         ["media-type .mediaType", "media-type .config.mediaType",
                          "media-type .layers[0].mediaType"])


if __name__ == "__main__":
    unittest.main()
